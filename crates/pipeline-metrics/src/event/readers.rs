//! Tolerant readers for CodePipeline event fields: counts sent as `4`, `4.0` or `"4"`,
//! and text sent as a string, number or bool; anything else reads as `None`, never an error.

use std::fmt;

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// Deserializes a count sent as `4`, `4.0` or `"4"`; `None` for null, fractions,
/// negative numbers, other text, objects and arrays (never an error).
pub(super) fn flex_count<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<u32>, D::Error> {
    Ok(match deserializer.deserialize_any(FlexVisitor)? {
        Flex::Unsigned(v) => u32::try_from(v).ok(),
        Flex::Signed(v) => u32::try_from(v).ok(),
        Flex::Float(v) => count_from_f64(v),
        Flex::Text(v) => {
            let v = v.trim();
            match v.parse::<u32>() {
                Ok(n) => Some(n),
                Err(_) => v.parse::<f64>().ok().and_then(count_from_f64),
            }
        }
        Flex::Bool(_) | Flex::Nothing => None,
    })
}

/// Deserializes text sent as a string or a number (`"1"` or `1`); `None` for null,
/// objects and arrays (never an error). Integral floats lose their `.0` (`1.0` -> `"1"`).
pub(super) fn flex_text<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<String>, D::Error> {
    Ok(match deserializer.deserialize_any(FlexVisitor)? {
        Flex::Text(v) => Some(v),
        Flex::Unsigned(v) => Some(v.to_string()),
        Flex::Signed(v) => Some(v.to_string()),
        Flex::Float(v) => Some(match count_from_f64(v) {
            Some(n) => n.to_string(),
            None => v.to_string(),
        }),
        Flex::Bool(v) => Some(v.to_string()),
        Flex::Nothing => None,
    })
}

fn count_from_f64(v: f64) -> Option<u32> {
    if v.is_finite() && v.fract() == 0.0 && v >= 0.0 && v <= f64::from(u32::MAX) {
        // Exact: v is integral and within u32's range.
        Some(v as u32)
    } else {
        None
    }
}

/// A field's value as the event sent it, before [`flex_count`] or [`flex_text`] reads it.
enum Flex {
    Text(String),
    Unsigned(u64),
    Signed(i64),
    Float(f64),
    Bool(bool),
    /// Null, an object or an array.
    Nothing,
}

struct FlexVisitor;

impl<'de> Visitor<'de> for FlexVisitor {
    type Value = Flex;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string, a number or a bool")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Flex::Text(v.to_owned()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Flex::Text(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Flex::Unsigned(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Flex::Signed(v))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Flex::Float(v))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Flex::Bool(v))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Flex::Nothing)
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Flex::Nothing)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(FlexVisitor)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Flex::Nothing)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Flex::Nothing)
    }
}
