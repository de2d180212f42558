//! The Discord adapter: translates Discord input into governance commands and back.

pub mod template_message;
