//! Loads the translations in `locales/` into the generated `i18n` module (the `leptos_i18n`
//! crate's build step). English is the reference; a key that French lacks, or has that English
//! does not, fails the build here (the library alone would only warn and show English).

use std::{collections::BTreeSet, error::Error, path::PathBuf};

use leptos_i18n_build::{Config, ParseOptions, TranslationsInfos};

const LOCALES: [&str; 2] = ["en", "fr"];

/// Each key of a locale file with the `{{ values }}` its text uses.
type Keys = Vec<(String, BTreeSet<String>)>;

fn main() -> Result<(), Box<dyn Error>> {
    println!("cargo::rerun-if-changed=build.rs");
    for locale in LOCALES {
        println!("cargo::rerun-if-changed=locales/{locale}.json");
    }
    same_keys()?;
    let out = PathBuf::from(std::env::var_os("OUT_DIR").ok_or("OUT_DIR is not set")?).join("i18n");
    let config = Config::new(LOCALES[0])?
        .add_locale(LOCALES[1])?
        .locales_path("locales")
        .parse_options(ParseOptions::default().interpolate_display(true));
    let infos = TranslationsInfos::parse(config)?;
    infos.emit_diagnostics();
    infos.rerun_if_locales_changed();
    infos.generate_i18n_module(out)?;
    Ok(())
}

/// Every locale has exactly the reference locale's keys, each a string, and uses the same
/// `{{ values }}` in each.
fn same_keys() -> Result<(), Box<dyn Error>> {
    let read = |locale: &str| -> Result<Keys, Box<dyn Error>> {
        let text = std::fs::read_to_string(format!("locales/{locale}.json"))?;
        let json: serde_json::Value = serde_json::from_str(&text)?;
        let mut keys = Vec::new();
        flatten("", &json, &mut keys).map_err(|e| format!("locales/{locale}.json: {e}"))?;
        Ok(keys)
    };
    let reference = read(LOCALES[0])?;
    let mut problems = Vec::new();
    for locale in &LOCALES[1..] {
        let other = read(locale)?;
        let find =
            |keys: &Keys, key: &str| keys.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
        for (key, values) in &reference {
            match find(&other, key) {
                None => problems.push(format!("{locale}: missing key {key}")),
                Some(v) if &v != values => problems.push(format!(
                    "{locale}: {key} uses {v:?}, {} uses {values:?}",
                    LOCALES[0]
                )),
                Some(_) => {}
            }
        }
        for (key, _) in &other {
            if find(&reference, key).is_none() {
                problems.push(format!("{locale}: key {key} is not in {}", LOCALES[0]));
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!("translations disagree:\n  {}", problems.join("\n  ")).into())
    }
}

/// `a.b.c` keys with the `{{ name }}` values each string interpolates.
fn flatten(prefix: &str, value: &serde_json::Value, out: &mut Keys) -> Result<(), String> {
    match value {
        serde_json::Value::Object(map) => {
            for (key, value) in map {
                let key = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                flatten(&key, value, out)?;
            }
            Ok(())
        }
        serde_json::Value::String(text) => {
            let values = text
                .split("{{")
                .skip(1)
                .filter_map(|rest| rest.split_once("}}"))
                .map(|(name, _)| name.trim().to_owned())
                .collect();
            out.push((prefix.to_owned(), values));
            Ok(())
        }
        _ => Err(format!("{prefix} is not a string")),
    }
}
