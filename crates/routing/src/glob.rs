//! Glob patterns with the syntax and semantics of CodePipeline V2 trigger filters.
//!
//! CodePipeline documents its trigger globs with the rules of Java's `PathMatcher`
//! `glob:` syntax, and this module implements exactly those rules:
//!
//! | pattern     | matches                                                            |
//! |-------------|--------------------------------------------------------------------|
//! | `*`         | zero or more characters inside one path segment (never `/`)        |
//! | `**`        | zero or more characters, crossing `/`                              |
//! | `?`         | exactly one character, never `/`                                   |
//! | `[abc]`, `[a-z]`, `[!a-z]` | one character of (or, with `!`, not of) the set, never `/` |
//! | `{a,b}`     | any of the comma-separated sub-patterns; groups do not nest        |
//! | `\x`        | the character `x` itself                                           |
//!
//! A pattern matches the *whole* text, case-sensitively: `api/**` matches `api/main.go`
//! but not `api-gateway/main.go`, and `README.md` matches only the README at the root.
//! As in CodePipeline, `**/README.md` needs at least one folder before `README.md`;
//! write `{README.md,**/README.md}` for "any README".
//!
//! One addition of ours: a pattern that ends in `/` names a folder and matches everything
//! under it (`docs/` is `docs/**`).

use std::fmt;

/// A compiled glob: the pattern as written and the anchored regular expression it means.
#[derive(Clone, Debug)]
pub struct Glob {
    pattern: String,
    regex: regex::Regex,
}

/// Why a pattern is not a valid glob, with the character position (1-based) of the problem.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid glob `{pattern}`: {problem} (at character {position})")]
pub struct GlobError {
    /// The pattern as written.
    pub pattern: String,
    /// 1-based character position of the problem in the pattern.
    pub position: usize,
    /// What is wrong.
    pub problem: &'static str,
}

impl Glob {
    /// Compiles `pattern`, or says what is wrong with it and where.
    pub fn new(pattern: &str) -> Result<Self, GlobError> {
        let regex_source = translate(pattern)?;
        // The translation only emits syntax the regex crate accepts; compiling here anyway
        // means a bug in `translate` is an error for this pattern, never a panic later.
        let regex = regex::Regex::new(&regex_source).map_err(|_| GlobError {
            pattern: pattern.to_owned(),
            position: 1,
            problem: "pattern cannot be compiled",
        })?;
        Ok(Self {
            pattern: pattern.to_owned(),
            regex,
        })
    }

    /// The pattern as written in the rules file.
    pub fn as_str(&self) -> &str {
        &self.pattern
    }

    /// The anchored regular expression equivalent to this glob.
    pub fn regex_source(&self) -> &str {
        self.regex.as_str()
    }

    /// Whether the glob matches the whole of `text`. Matching many globs against many
    /// texts is faster with [`GlobList`].
    pub fn is_match(&self, text: &str) -> bool {
        self.regex.is_match(text)
    }
}

impl fmt::Display for Glob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.pattern)
    }
}

/// Several globs, and which of them match a text.
///
/// An indexed list compiles its globs into one matcher ([`GlobList::indexed`]); an
/// unindexed one matches them one by one ([`GlobList::unindexed`]), for lists that are
/// matched elsewhere in bulk (path filters, through [`crate::matching::PathIndex`]).
#[derive(Clone, Debug)]
pub struct GlobList {
    globs: Vec<Glob>,
    set: Option<regex::RegexSet>,
}

/// Why globs could not be compiled into one matcher.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum GlobSetError {
    /// The matcher would be larger than the limit.
    #[error("{globs} glob(s) compile to a matcher larger than the limit of {limit} bytes")]
    TooLarge {
        /// How many globs were compiled together.
        globs: usize,
        /// The limit, in bytes.
        limit: usize,
    },
    /// The regex engine refused the union for another reason.
    #[error("{globs} glob(s) cannot be compiled together: {message}")]
    Other {
        /// How many globs were compiled together.
        globs: usize,
        /// The regex engine's message.
        message: String,
    },
}

/// Compiles the regexes of `globs` into one set within `size_limit` bytes.
pub(crate) fn compile_set<'a>(
    sources: impl ExactSizeIterator<Item = &'a str>,
    size_limit: usize,
) -> Result<regex::RegexSet, GlobSetError> {
    let globs = sources.len();
    regex::RegexSetBuilder::new(sources)
        .size_limit(size_limit)
        .build()
        .map_err(|error| match error {
            regex::Error::CompiledTooBig(limit) => GlobSetError::TooLarge { globs, limit },
            other => GlobSetError::Other {
                globs,
                message: other.to_string(),
            },
        })
}

impl GlobList {
    /// A list compiled into one matcher of at most `size_limit` bytes.
    pub fn indexed(globs: Vec<Glob>, size_limit: usize) -> Result<Self, GlobSetError> {
        let set = compile_set(globs.iter().map(Glob::regex_source), size_limit)?;
        Ok(Self {
            globs,
            set: Some(set),
        })
    }

    /// A list whose globs are matched one by one.
    pub fn unindexed(globs: Vec<Glob>) -> Self {
        Self { globs, set: None }
    }

    /// The globs, in the order given.
    pub fn globs(&self) -> &[Glob] {
        &self.globs
    }

    /// Whether the list holds no globs.
    pub fn is_empty(&self) -> bool {
        self.globs.is_empty()
    }

    /// The first glob (in list order) that matches `text`.
    pub fn first_match(&self, text: &str) -> Option<&Glob> {
        match &self.set {
            Some(set) => set
                .matches(text)
                .iter()
                .next()
                .and_then(|index| self.globs.get(index)),
            None => self.globs.iter().find(|glob| glob.is_match(text)),
        }
    }

    /// Indices of every glob that matches `text`, in list order.
    pub fn matching_indices(&self, text: &str) -> Vec<usize> {
        match &self.set {
            Some(set) => set.matches(text).into_iter().collect(),
            None => self
                .globs
                .iter()
                .enumerate()
                .filter(|(_, glob)| glob.is_match(text))
                .map(|(index, _)| index)
                .collect(),
        }
    }
}

/// What `**` matches: Java's `.*`, whose `.` stops at the line terminators `\n`, `\r`,
/// U+0085, U+2028 and U+2029 (the regex crate's `.` stops at `\n` only).
const ANY_CHARACTERS: &str = "[^\\n\\r\u{85}\u{2028}\u{2029}]*";

fn translate(pattern: &str) -> Result<String, GlobError> {
    let error = |position: usize, problem: &'static str| GlobError {
        pattern: pattern.to_owned(),
        position,
        problem,
    };
    if pattern.is_empty() {
        return Err(error(1, "empty pattern"));
    }
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = String::with_capacity(pattern.len() * 2 + 8);
    out.push('^');
    let mut in_group = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let position = i + 1;
        i += 1;
        match c {
            '\\' => {
                let Some(&next) = chars.get(i) else {
                    return Err(error(position, "`\\` at the end escapes nothing"));
                };
                i += 1;
                push_literal(&mut out, next);
            }
            '*' => {
                if chars.get(i) == Some(&'*') {
                    i += 1;
                    out.push_str(ANY_CHARACTERS);
                } else {
                    out.push_str("[^/]*");
                }
            }
            '?' => out.push_str("[^/]"),
            '{' => {
                if in_group {
                    return Err(error(position, "groups `{...}` cannot be nested"));
                }
                in_group = true;
                out.push_str("(?:(?:");
            }
            '}' if in_group => {
                in_group = false;
                out.push_str("))");
            }
            ',' if in_group => out.push_str(")|(?:"),
            '[' => i = translate_class(&chars, i, position, &mut out, &error)?,
            other => push_literal(&mut out, other),
        }
    }
    if in_group {
        return Err(error(chars.len(), "missing `}` to close the group"));
    }
    if pattern.ends_with('/') {
        // Ours: `docs/` names a folder and matches everything under it.
        out.push_str(ANY_CHARACTERS);
    }
    out.push('$');
    Ok(out)
}

/// Translates a bracket expression starting after the `[` at `start`; returns the index
/// just past its `]`.
fn translate_class(
    chars: &[char],
    start: usize,
    open_position: usize,
    out: &mut String,
    error: &dyn Fn(usize, &'static str) -> GlobError,
) -> Result<usize, GlobError> {
    let mut i = start;
    // `[[set]&&[^/]]`: the set, minus the separator, whether or not the set is negated.
    out.push_str("[[");
    if chars.get(i) == Some(&'!') {
        out.push('^');
        i += 1;
    }
    // A `-` first (after any `!`) stands for itself.
    if chars.get(i) == Some(&'-') {
        out.push_str("\\-");
        i += 1;
    }
    let mut previous: Option<char> = None;
    let mut has_members = out.ends_with("\\-");
    loop {
        let Some(&c) = chars.get(i) else {
            return Err(error(
                open_position,
                "missing `]` to close the bracket expression",
            ));
        };
        let position = i + 1;
        i += 1;
        match c {
            ']' => {
                if !has_members {
                    return Err(error(position, "empty bracket expression"));
                }
                break;
            }
            '/' => return Err(error(position, "`/` cannot appear inside `[...]`")),
            '-' => {
                let Some(low) = previous else {
                    return Err(error(position, "invalid range"));
                };
                match chars.get(i) {
                    Some(']') | None => {
                        // A trailing `-` stands for itself.
                        out.push_str("\\-");
                    }
                    Some(&high) => {
                        if high < low || high == '/' {
                            return Err(error(position, "invalid range"));
                        }
                        i += 1;
                        // As Java's `PathMatcher`: a range ending in `\` ends at the
                        // character after it, which the `\` escapes (`[*-\?]` is `*`
                        // to `?`). Java reads a letter or digit there as a regex escape
                        // (`\d`, `\u0041`) or fails; such a range is refused.
                        let high = if high == '\\' {
                            match chars.get(i) {
                                Some(&escaped)
                                    if escaped >= low
                                        && escaped != ']'
                                        && escaped != '/'
                                        && !escaped.is_ascii_alphanumeric() =>
                                {
                                    i += 1;
                                    escaped
                                }
                                _ => return Err(error(position, "invalid range")),
                            }
                        } else {
                            high
                        };
                        out.push('-');
                        push_class_literal(out, high);
                        previous = None;
                        continue;
                    }
                }
            }
            other => {
                push_class_literal(out, other);
                previous = Some(other);
                has_members = true;
                continue;
            }
        }
        previous = None;
    }
    out.push_str("]&&[^/]]");
    Ok(i)
}

fn push_literal(out: &mut String, c: char) {
    if c.is_ascii_alphanumeric() || c == '/' || !c.is_ascii() {
        out.push(c);
    } else {
        out.push('\\');
        out.push(c);
    }
}

fn push_class_literal(out: &mut String, c: char) {
    if c.is_ascii_alphanumeric() || !c.is_ascii() {
        out.push(c);
    } else {
        out.push('\\');
        out.push(c);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(pattern: &str, text: &str) -> bool {
        Glob::new(pattern)
            .unwrap_or_else(|e| panic!("{e}"))
            .is_match(text)
    }

    #[test]
    fn star_stays_inside_one_folder() {
        assert!(matches("*.md", "README.md"));
        assert!(!matches("*.md", "docs/README.md"));
        assert!(matches("src/*", "src/main.rs"));
        assert!(!matches("src/*", "src/bin/tool.rs"));
        assert!(matches("src/*.rs", "src/.rs"));
    }

    #[test]
    fn double_star_crosses_folders() {
        assert!(matches("src/**", "src/bin/tool.rs"));
        assert!(matches("**", "a/b/c"));
        assert!(matches("**.md", "docs/guide/intro.md"));
        assert!(matches("**/*.md", "docs/intro.md"));
        // As in CodePipeline (Java PathMatcher): `**/` needs a folder in front.
        assert!(!matches("**/*.md", "README.md"));
        assert!(matches("{README.md,**/README.md}", "README.md"));
        assert!(matches("{README.md,**/README.md}", "docs/README.md"));
    }

    #[test]
    fn question_mark_is_one_character_but_not_a_slash() {
        assert!(matches("config_?.json", "config_1.json"));
        assert!(!matches("config_?.json", "config_10.json"));
        assert!(!matches("a?b", "a/b"));
    }

    #[test]
    fn bracket_expressions() {
        assert!(matches("config_[12].json", "config_2.json"));
        assert!(!matches("config_[12].json", "config_3.json"));
        assert!(matches("v[0-9].txt", "v7.txt"));
        assert!(matches("[!a-c]x", "dx"));
        assert!(!matches("[!a-c]x", "bx"));
        assert!(!matches("a[!x]b", "a/b"), "negated classes never match `/`");
        assert!(matches("[-a]", "-"));
        assert!(matches("[a-]", "-"));
        assert!(matches("[*?]", "*"));
        assert!(!matches("[*?]", "x"));
    }

    #[test]
    fn groups() {
        assert!(matches("*.{java,class}", "Main.class"));
        assert!(matches("*.{java,class}", "Main.java"));
        assert!(!matches("*.{java,class}", "Main.kt"));
        assert!(matches("{api,web}/**", "web/index.html"));
        assert!(matches("{a,}x", "x"));
    }

    #[test]
    fn escapes_and_regex_metacharacters_are_literal() {
        assert!(matches("a\\*b", "a*b"));
        assert!(!matches("a\\*b", "axb"));
        assert!(matches("file(1).txt", "file(1).txt"));
        assert!(matches("a+b$c^d.e|f", "a+b$c^d.e|f"));
        assert!(!matches("a.b", "axb"));
        assert!(matches("x,y", "x,y"), "a comma outside a group is literal");
        assert!(
            matches("x}", "x}"),
            "a closing brace outside a group is literal"
        );
    }

    #[test]
    fn whole_path_and_case_sensitive() {
        assert!(!matches("api", "api-gateway/handler.py"));
        assert!(!matches("api/**", "api-gateway/handler.py"));
        assert!(matches("api/**", "api/handler.py"));
        assert!(!matches("readme.md", "README.md"));
        assert!(!matches("src", "src/main.rs"));
        assert!(!matches("main.rs", "src/main.rs"));
    }

    #[test]
    fn trailing_slash_names_a_folder() {
        assert!(matches("docs/", "docs/a/b.md"));
        assert!(!matches("docs/", "docs-old/a.md"));
    }

    #[test]
    fn unicode_paths() {
        assert!(matches("données/*.csv", "données/été.csv"));
        assert!(matches("?.txt", "é.txt"));
    }

    #[test]
    fn errors_name_the_problem_and_position() {
        let cases = [
            ("", 1, "empty pattern"),
            ("src/[ab", 5, "missing `]`"),
            ("a{b,{c}}", 5, "cannot be nested"),
            ("a{b,c", 5, "missing `}`"),
            ("x\\", 2, "escapes nothing"),
            ("[z-a]", 3, "invalid range"),
            ("a[/]", 3, "`/` cannot appear"),
            ("[]", 2, "empty bracket"),
        ];
        for (pattern, position, problem) in cases {
            let Err(error) = Glob::new(pattern) else {
                panic!("`{pattern}` should be rejected");
            };
            assert_eq!(error.position, position, "{pattern}: {error}");
            assert!(error.to_string().contains(problem), "{pattern}: {error}");
        }
    }

    #[test]
    fn glob_list_reports_which_glob_matched() {
        let globs = || {
            vec![
                Glob::new("docs/**").unwrap_or_else(|e| panic!("{e}")),
                Glob::new("**.md").unwrap_or_else(|e| panic!("{e}")),
            ]
        };
        let indexed = GlobList::indexed(globs(), 1 << 20).unwrap_or_else(|e| panic!("{e}"));
        for list in [indexed, GlobList::unindexed(globs())] {
            assert_eq!(
                list.first_match("docs/a.md").map(Glob::as_str),
                Some("docs/**")
            );
            assert_eq!(list.first_match("x/a.md").map(Glob::as_str), Some("**.md"));
            assert!(list.first_match("x/a.rs").is_none());
            assert_eq!(list.matching_indices("docs/a.md"), vec![0, 1]);
        }
    }

    #[test]
    fn a_list_over_the_size_limit_is_an_error_not_an_empty_matcher() {
        let globs: Vec<Glob> = (0..20)
            .map(|i| Glob::new(&format!("src/*/*/*{i}*/**")).unwrap_or_else(|e| panic!("{e}")))
            .collect();
        let error = GlobList::indexed(globs.clone(), 10_000).err();
        assert_eq!(
            error,
            Some(GlobSetError::TooLarge {
                globs: 20,
                limit: 10_000
            })
        );
        let list = GlobList::indexed(globs, 10 << 20).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            list.first_match("src/a/b/x7y/z").map(Glob::as_str),
            Some("src/*/*/*7*/**")
        );
    }

    /// What Java 17's `FileSystems.getDefault().getPathMatcher("glob:" + pattern)`
    /// answered for each case (checked with a JDK; CodePipeline matches with it).
    #[test]
    fn agrees_with_java_path_matcher() {
        let cases: [(&str, &str, bool); 22] = [
            // A range ending in `\`: the `\` escapes the next character, the range end.
            ("[*-\\?]", "?", true),
            ("[*-\\?]", "*", true),
            ("[*-\\?]", "+", true),
            ("[*-\\?]", "\\", false),
            ("[*-\\?]", "A", false),
            ("[*-\\?]", "a", false),
            // `\` as a member is a literal backslash; a trailing `-` is literal.
            ("[\\]]", "]", false),
            ("[\\]]", "\\]", true),
            ("[\\-]", "-", true),
            // `*`, `?` and `[!x]` match line terminators (`[^/]`)...
            ("*", "a\rb", true),
            ("*", "a\u{85}b", true),
            ("*", "a\u{2028}b", true),
            ("*", "a\nb", true),
            ("?", "\r", true),
            ("a?b", "a\u{2028}b", true),
            ("[!x]", "\u{2029}", true),
            // ...but `**` (Java's `.*`) stops at them.
            ("**", "x/a\rb", false),
            ("**", "x/a\u{85}b", false),
            ("**", "x/a\u{2028}b", false),
            ("**", "x/a\u{2029}b", false),
            ("**", "x/a\nb", false),
            ("src/**", "src/a/b.rs", true),
        ];
        for (pattern, path, java) in cases {
            assert_eq!(matches(pattern, path), java, "{pattern:?} against {path:?}");
        }
        // Java rejects these patterns (PatternSyntaxException); so do we.
        for pattern in ["[*-\\]x", "[*-\\]]", "[+-\\]", "[a-\\z]", "[*-\\d]"] {
            assert!(
                Glob::new(pattern).is_err(),
                "{pattern:?} should be rejected"
            );
        }
    }

    /// Our folder shorthand is not Java's: CodePipeline's `docs/` matches nothing.
    #[test]
    fn a_trailing_slash_is_our_folder_shorthand_not_java_syntax() {
        // Java: `docs/` against `docs/a.md` is false, against `docs` false.
        assert!(matches("docs/", "docs/a.md"));
        assert!(!matches("docs/", "docs"));
        assert!(matches("docs/**", "docs/a.md"), "the portable spelling");
    }
}
