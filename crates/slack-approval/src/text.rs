//! Text helpers shared by the message and summary builders.

use std::borrow::Cow;

/// The ellipsis appended to truncated text.
pub(crate) const ELLIPSIS: char = '…';

/// At most `max` characters of `text`: cut on a character boundary, ending in `…` when
/// something was cut (the ellipsis counts towards `max`).
pub(crate) fn truncate_chars(text: &str, max: usize) -> Cow<'_, str> {
    match text.char_indices().nth(max) {
        None => Cow::Borrowed(text),
        Some(_) if max == 0 => Cow::Borrowed(""),
        Some(_) => {
            // Keep max - 1 characters and the ellipsis.
            let cut = text
                .char_indices()
                .nth(max - 1)
                .map_or(text.len(), |(i, _)| i);
            let mut out = String::with_capacity(cut + ELLIPSIS.len_utf8());
            out.push_str(&text[..cut]);
            out.push(ELLIPSIS);
            Cow::Owned(out)
        }
    }
}

/// Escapes the three characters Slack's mrkdwn gives meaning to (`&`, `<`, `>`), so that
/// text from outside cannot mention `@channel`, fake a link or break the layout.
pub(crate) fn escape_mrkdwn(text: &str) -> Cow<'_, str> {
    if !text.contains(['&', '<', '>']) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// One line of plain text: control characters and runs of whitespace become one space.
pub(crate) fn single_line(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    for c in text.chars() {
        if c.is_whitespace() || c.is_control() {
            pending_space = !out.is_empty();
        } else {
            if pending_space {
                out.push(' ');
                pending_space = false;
            }
            out.push(c);
        }
    }
    out
}

/// A mrkdwn link `<url|label>` when `url` is an http(s) URL, else the escaped label and
/// URL as plain text (never a link to a `javascript:` or `slack:` target).
pub(crate) fn link(url: &str, label: &str) -> String {
    let label = escape_mrkdwn(label).replace('|', "¦");
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    let is_web = lower.starts_with("https://") || lower.starts_with("http://");
    if is_web && !url.contains(char::is_whitespace) {
        let url = escape_mrkdwn(url).replace('|', "%7C");
        format!("<{url}|{label}>")
    } else {
        format!("{label}: {}", escape_mrkdwn(url))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncates_on_char_boundaries_with_an_ellipsis() {
        assert_eq!(truncate_chars("abc", 3), "abc");
        assert_eq!(truncate_chars("abcd", 3), "ab…");
        assert_eq!(truncate_chars("ééééé", 4), "ééé…");
        assert_eq!(truncate_chars("🚀🚀🚀", 2), "🚀…");
        assert_eq!(truncate_chars("abc", 0), "");
        assert_eq!(truncate_chars("", 0), "");
    }

    #[test]
    fn escapes_control_characters_of_mrkdwn() {
        assert_eq!(
            escape_mrkdwn("a <!channel> & b"),
            "a &lt;!channel&gt; &amp; b"
        );
        assert!(matches!(escape_mrkdwn("plain"), Cow::Borrowed(_)));
    }

    #[test]
    fn single_line_collapses_whitespace_and_controls() {
        assert_eq!(single_line("  a\n\n b\t\u{7}c  "), "a b c");
    }

    #[test]
    fn links_only_to_web_urls() {
        assert_eq!(
            link("https://x.test/a?b=1&c=2|3", "Open <it>"),
            "<https://x.test/a?b=1&amp;c=2%7C3|Open &lt;it&gt;>"
        );
        assert_eq!(link("javascript:alert(1)", "x"), "x: javascript:alert(1)");
        assert_eq!(link("https://a b", "x"), "x: https://a b");
        assert_eq!(link("HTTPS://X.TEST", "a|b"), "<HTTPS://X.TEST|a¦b>");
    }
}
