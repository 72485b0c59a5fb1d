//! Rule evaluation: 10,000 changed paths against 50 pipelines with 5 path globs each.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use pipeline_routing::matching::PathMatching;
use pipeline_routing::rules::RoutingRules;

fn rules() -> RoutingRules {
    let mut yaml = String::from("version: 1\nrepositories:\n  - name: mono\n    pipelines:\n");
    for p in 0..50 {
        yaml.push_str(&format!(
            "      - name: service-{p}\n        paths:\n          include: [\"services/svc-{p}/**\", \"libs/lib-{p}/*.rs\", \"deploy/{p}/{{a,b}}/*.yaml\", \"config/svc-{p}.json\"]\n          exclude: [\"services/svc-{p}/**.md\"]\n"
        ));
    }
    RoutingRules::from_yaml(&yaml, "bench").unwrap_or_else(|e| panic!("{e}"))
}

/// Paths that no pipeline takes: the worst case, every path is matched.
fn unmatched_paths() -> Vec<String> {
    (0..10_000)
        .map(|i| format!("other/area-{}/module-{}/file_{i}.txt", i % 37, i % 101))
        .collect()
}

fn evaluate(c: &mut Criterion) {
    let rules = rules();
    let repository = rules.repository("mono").unwrap_or_else(|| panic!("repo"));
    let paths = unmatched_paths();
    c.bench_function("10k paths x 50 pipelines x 5 globs (no match)", |b| {
        b.iter(|| {
            let mut matching =
                PathMatching::new(&repository.path_index, 0..repository.pipelines.len());
            for path in &paths {
                matching.feed(black_box(path));
            }
            black_box(matching.into_matches())
        })
    });
    // Half the pipelines match somewhere in the middle of the diff.
    let mut mixed = unmatched_paths();
    for p in (0..50).step_by(2) {
        mixed[5_000 + p] = format!("services/svc-{p}/src/main.rs");
    }
    c.bench_function("10k paths x 50 pipelines x 5 globs (half match)", |b| {
        b.iter(|| {
            let mut matching =
                PathMatching::new(&repository.path_index, 0..repository.pipelines.len());
            for path in &mixed {
                matching.feed(black_box(path));
            }
            black_box(matching.into_matches())
        })
    });
}

criterion_group!(benches, evaluate);
criterion_main!(benches);
