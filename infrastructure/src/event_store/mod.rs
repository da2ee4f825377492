//! The PostgreSQL event store (ADR 0001): append with optimistic concurrency inside a command
//! transaction, read one stream, follow the global log without skipping late commits, and
//! chain it with hashes behind the high-water mark (ADR 0005).

mod append;
pub mod chain;
pub mod checkpoint;
mod error;
pub mod feed;
mod metadata;
mod stored;
mod upcast;

pub use append::{append, begin_command};
pub use error::EventStoreError;
pub use feed::{
    high_water_mark, lock_stream_for_share, read_range, read_range_in, read_range_of_kinds,
    read_stream, LogReader,
};
pub use metadata::EventMetadata;
pub use stored::{AppendResult, ExpectedVersion, NewEvent, StoredEvent};
pub use upcast::Upcasters;

/// Key of the advisory lock that orders readers of the global log after in-flight commands
/// (an arbitrary constant: "kenpo" in ASCII).
pub const LOG_LOCK_KEY: i64 = 0x6b_656e_706f;
