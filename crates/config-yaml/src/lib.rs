//! Strict YAML loading, shared by every configuration file (routing rules, approvals).
//!
//! [`from_str`] and [`from_path`] deserialize a YAML document into a serde type and, on
//! top of what serde_norway checks:
//!
//! - **refuse any YAML tag** (`!!python/object/apply:os.system [...]`, `!!str`, `!custom`,
//!   `!<verbatim>`), on scalars, sequences and mappings at any depth, with the file and
//!   line of the tag. serde_norway ignores most tags silently (`exclude: !!seq [...]` is
//!   read as a plain list), so a tag can only mislead a reader of the file;
//! - **refuse files over a size limit** ([`Options::max_bytes`], [`DEFAULT_MAX_BYTES`]);
//! - **name `file:line:column`** in every error, and keep the position of every node
//!   ([`Source::location`]), so that checks made after deserializing can name the line
//!   too ([`Source::error_at`]).
//!
//! Positions are found with a second, event-level parser (saphyr-parser), because
//! serde_norway exposes neither tags nor node positions. Paths are written as
//! serde_norway writes them in its errors: `repositories[0].pipelines[2].paths.include`.

use std::collections::HashMap;
use std::fmt;
use std::io::Read;
use std::path::Path;

use saphyr_parser::{Event, Parser, Span};
use serde::de::DeserializeOwned;

/// The default size limit of a configuration file: 1 MiB.
pub const DEFAULT_MAX_BYTES: usize = 1024 * 1024;

/// How strictly to load.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Options {
    /// Files (or texts) longer than this many bytes are refused before they are parsed.
    pub max_bytes: usize,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            max_bytes: DEFAULT_MAX_BYTES,
        }
    }
}

/// A position in a YAML text, 1-based.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Location {
    /// The line, from 1.
    pub line: usize,
    /// The column (in characters), from 1.
    pub column: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// Why a configuration file cannot be used. The message starts with `file:line:column:`
/// where the position is known.
#[derive(Debug, thiserror::Error)]
pub enum YamlError {
    /// The file could not be read (missing, unreadable, not UTF-8).
    #[error("{file}: cannot read the file: {source}")]
    Read {
        /// The file.
        file: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is over the size limit.
    #[error("{file}: the file is larger than the limit of {limit} bytes")]
    TooLarge {
        /// The file.
        file: String,
        /// The limit, in bytes.
        limit: usize,
    },
    /// The text holds a YAML tag.
    #[error("{file}:{location}: YAML tags are not allowed (found `{tag}`): remove the tag")]
    Tagged {
        /// The file.
        file: String,
        /// Where the tagged node starts.
        location: Location,
        /// The tag as the parser read it.
        tag: String,
    },
    /// Malformed YAML, an unknown key, a wrong type, or a value the reader refused.
    #[error("{file}:{}{message}", at(.location))]
    Invalid {
        /// The file (or the name of where the text came from, like an SSM parameter).
        file: String,
        /// Where, if known.
        location: Option<Location>,
        /// What is wrong.
        message: String,
    },
}

fn at(location: &Option<Location>) -> String {
    match location {
        Some(location) => format!("{location}: "),
        None => " ".to_owned(),
    }
}

impl YamlError {
    /// The file (or origin) the error is about.
    pub fn file(&self) -> &str {
        match self {
            YamlError::Read { file, .. }
            | YamlError::TooLarge { file, .. }
            | YamlError::Tagged { file, .. }
            | YamlError::Invalid { file, .. } => file,
        }
    }

    /// Where in the file, if known.
    pub fn location(&self) -> Option<Location> {
        match self {
            YamlError::Tagged { location, .. } => Some(*location),
            YamlError::Invalid { location, .. } => *location,
            YamlError::Read { .. } | YamlError::TooLarge { .. } => None,
        }
    }
}

/// Where a document came from, and where each of its nodes is: for errors found after
/// deserializing.
#[derive(Clone, Debug, Default)]
pub struct Source {
    origin: String,
    locations: HashMap<String, Location>,
}

impl Source {
    /// The name of the text in errors (a file path, `ssm:/name`, ...).
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// Where the node at `path` starts (`repositories[0].name`; `.` is the root).
    pub fn location(&self, path: &str) -> Option<Location> {
        self.locations.get(path).copied()
    }

    /// An error about the node at `path`: `file:line:column: path: message`.
    pub fn error_at(&self, path: &str, message: impl fmt::Display) -> YamlError {
        YamlError::Invalid {
            file: self.origin.clone(),
            location: self.location(path),
            message: format!("{path}: {message}"),
        }
    }

    /// An error about the file as a whole: `file: message`.
    pub fn error(&self, message: impl fmt::Display) -> YamlError {
        YamlError::Invalid {
            file: self.origin.clone(),
            location: None,
            message: message.to_string(),
        }
    }
}

/// A deserialized document and its [`Source`].
#[derive(Clone, Debug)]
pub struct Loaded<T> {
    /// The document.
    pub value: T,
    /// Where it came from and where its nodes are.
    pub source: Source,
}

/// Reads `path` (refusing it past `options.max_bytes`) and deserializes it strictly.
pub fn from_path<T: DeserializeOwned>(
    path: &Path,
    options: &Options,
) -> Result<Loaded<T>, YamlError> {
    let file = path.display().to_string();
    let text = read_text(path, options)?;
    from_str(&text, &file, options)
}

/// Reads a text file of at most `options.max_bytes` bytes.
pub fn read_text(path: &Path, options: &Options) -> Result<String, YamlError> {
    let file = path.display().to_string();
    let read_error = |source| YamlError::Read {
        file: file.clone(),
        source,
    };
    let handle = std::fs::File::open(path).map_err(read_error)?;
    let mut text = String::new();
    // One byte past the limit is enough to know the file is too large, even for a file
    // that has no end (a device, a FIFO).
    let limit = u64::try_from(options.max_bytes)
        .unwrap_or(u64::MAX)
        .saturating_add(1);
    handle
        .take(limit)
        .read_to_string(&mut text)
        .map_err(read_error)?;
    if text.len() > options.max_bytes {
        return Err(YamlError::TooLarge {
            file,
            limit: options.max_bytes,
        });
    }
    Ok(text)
}

/// Deserializes `text` strictly; `origin` names it in errors.
pub fn from_str<T: DeserializeOwned>(
    text: &str,
    origin: &str,
    options: &Options,
) -> Result<Loaded<T>, YamlError> {
    if text.len() > options.max_bytes {
        return Err(YamlError::TooLarge {
            file: origin.to_owned(),
            limit: options.max_bytes,
        });
    }
    let scanned = scan(text, origin);
    let source = match scanned {
        Ok(source) => source,
        Err(Scan::Tagged(error)) => return Err(error),
        // serde_norway's message for malformed YAML is the one users know; the event
        // parser's is the fallback, should the two parsers ever disagree.
        Err(Scan::Malformed(error)) => {
            return Err(match serde_norway::from_str::<T>(text) {
                Err(serde_error) => invalid(origin, &serde_error),
                Ok(_) => error,
            });
        }
    };
    let value = serde_norway::from_str::<T>(text).map_err(|error| invalid(origin, &error))?;
    Ok(Loaded { value, source })
}

/// A serde_norway error as `file:line:column: message` (serde_norway appends the position
/// to its message as ` at line X column Y`; it is moved to the front).
fn invalid(origin: &str, error: &serde_norway::Error) -> YamlError {
    let message = error.to_string();
    let message = message
        .split(" at line ")
        .next()
        .unwrap_or(&message)
        .to_owned();
    YamlError::Invalid {
        file: origin.to_owned(),
        location: error.location().map(|l| Location {
            line: l.line(),
            column: l.column(),
        }),
        message,
    }
}

enum Scan {
    Tagged(YamlError),
    Malformed(YamlError),
}

/// One open collection while walking the events.
enum Frame {
    Sequence { path: String, next: usize },
    Mapping { path: String, key: Option<String> },
}

/// Walks the YAML events: refuses the first tag, records where every node starts.
fn scan(text: &str, origin: &str) -> Result<Source, Scan> {
    let mut locations = HashMap::new();
    let mut stack: Vec<Frame> = Vec::new();
    for item in Parser::new_from_str(text) {
        let (event, span) = item.map_err(|error| {
            Scan::Malformed(YamlError::Invalid {
                file: origin.to_owned(),
                location: Some(Location {
                    line: error.marker().line(),
                    column: error.marker().col() + 1,
                }),
                message: error.info().to_owned(),
            })
        })?;
        let (tag, scalar_text, opens) = match &event {
            Event::Scalar(value, _, _, tag) => (tag, Some(value.as_ref()), None),
            Event::SequenceStart(_, tag) => (tag, None, Some(true)),
            Event::MappingStart(_, tag) => (tag, None, Some(false)),
            Event::Alias(_) => (&None, None, None),
            Event::SequenceEnd | Event::MappingEnd => {
                stack.pop();
                continue;
            }
            _ => continue,
        };
        if let Some(tag) = tag {
            return Err(Scan::Tagged(YamlError::Tagged {
                file: origin.to_owned(),
                location: start_of(&span),
                tag: tag_text(tag),
            }));
        }
        // Where this node sits: a key of a mapping, a value of one, an element, the root.
        let path = match stack.last_mut() {
            None => Some(".".to_owned()),
            Some(Frame::Sequence { path, next }) => {
                let element = format!("{}[{next}]", path);
                *next += 1;
                Some(element)
            }
            Some(Frame::Mapping { path, key }) => match key.take() {
                Some(key) => Some(child(path, &key)),
                None => {
                    // A key: remembered for the value that follows. A key that is not a
                    // scalar is written `?`, as serde_norway does.
                    *key = Some(scalar_text.unwrap_or("?").to_owned());
                    None
                }
            },
        };
        let is_key = path.is_none();
        let path = path.unwrap_or_else(|| "?".to_owned());
        if !is_key {
            locations.entry(path.clone()).or_insert(start_of(&span));
        }
        match opens {
            Some(true) => stack.push(Frame::Sequence { path, next: 0 }),
            Some(false) => stack.push(Frame::Mapping { path, key: None }),
            None => {}
        }
    }
    Ok(Source {
        origin: origin.to_owned(),
        locations,
    })
}

/// A tag as it is usually written: `!!str` rather than its resolved `tag:yaml.org,2002:str`.
fn tag_text(tag: &saphyr_parser::Tag) -> String {
    match tag.handle.as_str() {
        "tag:yaml.org,2002:" => format!("!!{}", tag.suffix),
        "!" | "!!" => format!("{}{}", tag.handle, tag.suffix),
        "" => format!("!<{}>", tag.suffix),
        handle => format!("{handle}{}", tag.suffix),
    }
}

fn child(parent: &str, key: &str) -> String {
    if parent == "." {
        key.to_owned()
    } else {
        format!("{parent}.{key}")
    }
}

fn start_of(span: &Span) -> Location {
    Location {
        line: span.start.line(),
        column: span.start.col() + 1,
    }
}

#[cfg(test)]
mod tests;
