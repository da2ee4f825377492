//! 個人番号 (My Number): access control with elevation, the access log, sealed entry and
//! reading, 名寄せ, review reports (issue 3). The number itself exists in clear only in the
//! request being handled: sealed in events, HMAC'd in the index, never logged or stored.

pub mod access_log;
pub mod elevation;
pub mod guard;
pub mod review;
pub mod sealer;
pub mod service;
