//! Every message people read, rendered from its template in `templates/`: what a group or vote
//! looks like (`views`), what govbot announces or answers (`notices`), a group's health
//! (`health`), and how a rendered message becomes a Discord message (`output`).

pub mod health;
pub mod notices;
pub mod output;
pub mod render;
pub mod views;
