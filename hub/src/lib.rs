//! The ParkHub hub: configuration, the command line, the HTTP server and the demo park.
//!
//! `main.rs` only calls [`cli::main`]; everything else lives here so tests can drive it:
//! [`services::Services`] opens a data directory's lake, query engine and catalog, and
//! [`server::app`] builds the HTTP router over them, and [`auth`] says who is asking.

pub mod api;
pub mod auth;
pub mod cli;
pub mod config;
pub mod demo;
pub mod demo_loader;
pub mod metrics;
pub mod pg;
pub mod server;
pub mod services;
pub mod watch;
