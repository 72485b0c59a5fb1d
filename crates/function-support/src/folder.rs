//! Object keys as files: the local folder that stands in for a bucket (the CLI's `invoke`
//! of the metrics functions).

use std::path::{Component, Path, PathBuf};

/// The file `key` is kept in below `root`; `None` for keys that would leave the root
/// (absolute paths, `..`, `.`) or are empty.
pub fn key_path(root: &Path, key: &str) -> Option<PathBuf> {
    let relative = Path::new(key);
    let plain = relative
        .components()
        .all(|c| matches!(c, Component::Normal(_)));
    (plain && !key.is_empty()).then(|| root.join(relative))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_stay_under_the_root() {
        let root = Path::new("/tmp/out");
        assert_eq!(
            key_path(root, "reports/latest.html"),
            Some(PathBuf::from("/tmp/out/reports/latest.html"))
        );
        for bad in ["", "/etc/passwd", "../x", "a/../../x", "./a"] {
            assert_eq!(key_path(root, bad), None, "{bad:?}");
        }
    }
}
