//! What the stand-in's integration tests share: the world they run in and a plain REST client.
#![allow(dead_code)]

pub mod api;
pub mod world;
