//! The rules file as written: serde shapes, read strictly (unknown keys, wrong types and
//! empty filters are errors at the line that holds them). Globs stay text here; they are
//! compiled after the limits are checked, so that an oversized file fails fast.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};

use super::DiffFailurePolicy;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRules {
    pub version: u32,
    #[serde(default)]
    pub on_diff_failure: DiffFailurePolicy,
    pub repositories: Vec<RawRepository>,
    #[serde(default)]
    pub schedules: Vec<pipeline_schedules::ScheduleConfig>,
    #[serde(default)]
    pub freezes: Vec<pipeline_schedules::FreezeConfig>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRepository {
    pub name: String,
    #[serde(default)]
    pub default_branch: Option<String>,
    pub pipelines: Vec<RawPipeline>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPipeline {
    pub name: String,
    #[serde(default)]
    pub source_action: Option<String>,
    #[serde(default, deserialize_with = "present_filter")]
    pub branches: Option<RawFilter>,
    #[serde(default, deserialize_with = "present_filter")]
    pub paths: Option<RawFilter>,
    #[serde(default, deserialize_with = "present_filter")]
    pub tags: Option<RawFilter>,
}

/// A filter section that is present. `include`/`exclude` absent is `None`; present, each
/// names at least one glob.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFilter {
    #[serde(default, deserialize_with = "present_globs")]
    pub include: Option<Vec<String>>,
    #[serde(default, deserialize_with = "present_globs")]
    pub exclude: Option<Vec<String>>,
}

/// `branches:`, `paths:` or `tags:` that is present must say something: left blank (for
/// example after commenting out its only `include:` line), `~` or `{}` would otherwise
/// read as "no filter", which widens the rule to every branch or path.
fn present_filter<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<RawFilter>, D::Error> {
    struct FilterVisitor;
    impl<'de> Visitor<'de> for FilterVisitor {
        type Value = RawFilter;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a filter with `include:` and/or `exclude:`")
        }
        fn visit_unit<E: de::Error>(self) -> Result<RawFilter, E> {
            Err(E::custom(EMPTY_FILTER))
        }
        fn visit_none<E: de::Error>(self) -> Result<RawFilter, E> {
            Err(E::custom(EMPTY_FILTER))
        }
        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<RawFilter, A::Error> {
            let filter = RawFilter::deserialize(de::value::MapAccessDeserializer::new(map))?;
            if filter.include.is_none() && filter.exclude.is_none() {
                return Err(de::Error::custom(EMPTY_FILTER));
            }
            Ok(filter)
        }
    }
    deserializer.deserialize_any(FilterVisitor).map(Some)
}

const EMPTY_FILTER: &str = "the filter is empty: give it `include:` and/or `exclude:` globs, or remove it (an absent filter matches everything)";

/// `include:` or `exclude:` that is present must name at least one glob. `include: []`
/// is ambiguous (no includes means everything, yet the list says "none"), and a blank
/// `exclude:` is most likely a commented-out line.
fn present_globs<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Vec<String>>, D::Error> {
    struct GlobsVisitor;
    impl<'de> Visitor<'de> for GlobsVisitor {
        type Value = Vec<String>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a list of globs")
        }
        fn visit_unit<E: de::Error>(self) -> Result<Vec<String>, E> {
            Err(E::custom(EMPTY_LIST))
        }
        fn visit_none<E: de::Error>(self) -> Result<Vec<String>, E> {
            Err(E::custom(EMPTY_LIST))
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<String>, A::Error> {
            let mut globs = Vec::new();
            while let Some(glob) = seq.next_element::<String>()? {
                globs.push(glob);
            }
            if globs.is_empty() {
                return Err(de::Error::custom(EMPTY_LIST));
            }
            Ok(globs)
        }
    }
    deserializer.deserialize_any(GlobsVisitor).map(Some)
}

const EMPTY_LIST: &str = "the list is empty: name at least one glob, or remove the key (to match nothing, write `exclude: [\"**\"]`)";
