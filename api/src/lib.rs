//! kenpo's HTTP API (axum) and command line.
//!
//! Layout: `auth` (bearer tokens, roles), `problem` (problem+json errors), `application`
//! (one command = one transaction), `routes` (HTTP handlers), `openapi` (the generated
//! document), `cli` (the `kenpo` commands), `startup` (router and state), `edge` (timeouts,
//! limits, request ids and client addresses of every request).

pub mod application;
pub mod auth;
pub mod authorization;
pub mod cli;
pub mod config;
pub mod database;
pub mod edge;
pub mod json;
pub mod openapi;
pub mod problem;
pub mod routes;
pub mod startup;
pub mod state;
pub mod telemetry;
