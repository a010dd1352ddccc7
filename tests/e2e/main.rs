//! End-to-end tests: they drive the real `parkhub` binary (CLI and HTTP server) on a temporary
//! data directory. One test binary, one module per area, because each binary links the whole
//! stack.

mod support;

mod access;
mod auth;
mod catalog_live;
mod cli;
mod console;
mod contracts;
mod delta_readers;
mod guardrails;
mod http;
mod indicators;
mod ingest;
mod ingest_reliability;
mod live_sources;
mod logging;
mod matching;
mod openapi;
mod pg;
mod pg_clients;
mod s3;
mod search;
mod servers;
mod watch;
mod webdriver;
