//! `config.example.toml` as the configuration tests use it: as shipped, with placeholder ids that
//! govbot refuses, and with those ids replaced by plausible real ones.

use std::path::PathBuf;

pub fn example_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("config.example.toml")
}

pub fn example() -> String {
    std::fs::read_to_string(example_path()).unwrap()
}

/// The example's ids as dotted keys and values: the guild, then the channels and the roles.
pub fn example_ids() -> Vec<(String, i64)> {
    let file: toml::Table = toml::from_str(&example()).unwrap();
    let mut ids = vec![(
        "guild_id".to_owned(),
        file["guild_id"].as_integer().unwrap(),
    )];
    for table in ["channels", "roles"] {
        for (key, value) in file[table].as_table().unwrap() {
            ids.push((format!("{table}.{key}"), value.as_integer().unwrap()));
        }
    }
    ids
}

/// The real id that replaces the example's `n`-th id (from 0): 18 digits, all different.
pub fn real_id(n: usize) -> u64 {
    700_000_000_000_000_001 + n as u64
}

/// The example with each placeholder id replaced by [`real_id`], as someone who filled it in.
pub fn example_with_real_ids() -> String {
    let mut text = example();
    for (n, (_, id)) in example_ids().iter().enumerate() {
        text = text.replace(&id.to_string(), &real_id(n).to_string());
    }
    text
}
