//! Reading required and optional fields out of untrusted JSON, with errors that name the
//! full path of the field (`approval.token`, `actions[0].action_id`).

use serde_json::Value;

/// A field of a JSON document that is missing, empty or of the wrong type.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FieldError {
    /// The field is absent or `null`.
    #[error("missing field `{0}`")]
    Missing(String),
    /// The field is present but empty (an empty string or array).
    #[error("field `{0}` is empty")]
    Empty(String),
    /// The field has another JSON type than expected.
    #[error("field `{field}` should be {expected}")]
    WrongType {
        /// Full path of the field.
        field: String,
        /// What was expected: "a string", "an object", ...
        expected: &'static str,
    },
}

/// A JSON object together with its path from the document root, for error messages.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Obj<'a> {
    value: &'a serde_json::Map<String, Value>,
    path: &'a str,
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

impl<'a> Obj<'a> {
    /// The document root, which must be an object.
    pub(crate) fn root(value: &'a Value) -> Result<Self, FieldError> {
        match value {
            Value::Object(map) => Ok(Self {
                value: map,
                path: "",
            }),
            _ => Err(FieldError::WrongType {
                field: "(document)".to_owned(),
                expected: "an object",
            }),
        }
    }

    fn get(&self, key: &str) -> Option<&'a Value> {
        match self.value.get(key) {
            None | Some(Value::Null) => None,
            Some(v) => Some(v),
        }
    }

    /// An optional nested object (absent or `null` is `None`); wrap it with [`Obj::child`].
    pub(crate) fn opt_object(
        &self,
        key: &str,
    ) -> Result<Option<&'a serde_json::Map<String, Value>>, FieldError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Object(map)) => Ok(Some(map)),
            Some(_) => Err(FieldError::WrongType {
                field: join(self.path, key),
                expected: "an object",
            }),
        }
    }

    /// A required nested object.
    pub(crate) fn object(
        &self,
        key: &str,
    ) -> Result<&'a serde_json::Map<String, Value>, FieldError> {
        self.opt_object(key)?
            .ok_or_else(|| FieldError::Missing(join(self.path, key)))
    }

    /// Wraps a nested map with its display path.
    pub(crate) fn child(map: &'a serde_json::Map<String, Value>, path: &'a str) -> Self {
        Self { value: map, path }
    }

    /// An optional string; absent, `null` and `""` are `None`.
    pub(crate) fn opt_str(&self, key: &str) -> Result<Option<&'a str>, FieldError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(s)) if s.is_empty() => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(FieldError::WrongType {
                field: join(self.path, key),
                expected: "a string",
            }),
        }
    }

    /// An optional string that keeps `""` (absent and `null` are `None`): for values
    /// where an empty string must not pass for an absent one.
    pub(crate) fn opt_str_as_given(&self, key: &str) -> Result<Option<&'a str>, FieldError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(FieldError::WrongType {
                field: join(self.path, key),
                expected: "a string",
            }),
        }
    }

    /// A required, non-empty string.
    pub(crate) fn str(&self, key: &str) -> Result<&'a str, FieldError> {
        match self.get(key) {
            None => Err(FieldError::Missing(join(self.path, key))),
            Some(Value::String(s)) if s.is_empty() => Err(FieldError::Empty(join(self.path, key))),
            Some(Value::String(s)) => Ok(s),
            Some(_) => Err(FieldError::WrongType {
                field: join(self.path, key),
                expected: "a string",
            }),
        }
    }

    /// The first element of a required, non-empty array of objects.
    pub(crate) fn first_object(
        &self,
        key: &str,
    ) -> Result<&'a serde_json::Map<String, Value>, FieldError> {
        match self.get(key) {
            None => Err(FieldError::Missing(join(self.path, key))),
            Some(Value::Array(items)) => match items.first() {
                None => Err(FieldError::Empty(join(self.path, key))),
                Some(Value::Object(map)) => Ok(map),
                Some(_) => Err(FieldError::WrongType {
                    field: format!("{}[0]", join(self.path, key)),
                    expected: "an object",
                }),
            },
            Some(_) => Err(FieldError::WrongType {
                field: join(self.path, key),
                expected: "an array",
            }),
        }
    }

    /// An optional array (absent or `null` is `None`).
    pub(crate) fn opt_array(&self, key: &str) -> Result<Option<&'a Vec<Value>>, FieldError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Array(items)) => Ok(Some(items)),
            Some(_) => Err(FieldError::WrongType {
                field: join(self.path, key),
                expected: "an array",
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn errors_name_the_full_path() {
        let doc = json!({"a": {"b": 3, "c": "", "d": [1], "e": []}});
        let root = Obj::root(&doc).unwrap();
        let a = Obj::child(root.object("a").unwrap(), "a");
        assert_eq!(
            a.str("b").unwrap_err().to_string(),
            "field `a.b` should be a string"
        );
        assert_eq!(a.str("c").unwrap_err().to_string(), "field `a.c` is empty");
        assert_eq!(a.str("z").unwrap_err().to_string(), "missing field `a.z`");
        assert_eq!(
            a.first_object("d").unwrap_err().to_string(),
            "field `a.d[0]` should be an object"
        );
        assert_eq!(
            a.first_object("e").unwrap_err().to_string(),
            "field `a.e` is empty"
        );
        assert_eq!(a.opt_str("c").unwrap(), None);
        assert!(Obj::root(&json!([1])).is_err());
    }
}
