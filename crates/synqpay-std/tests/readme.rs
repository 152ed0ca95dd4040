//! The README opens with `examples/desktop-pos` as it is: the two cannot drift apart (the
//! README's copy is compiled as a doctest, the example's by the workspace and run by
//! `scripts/desktop-pos`).

#[test]
fn the_readme_opens_with_the_desktop_pos_example_verbatim() {
    let readme = include_str!("../README.md");
    let example = include_str!("../../../examples/desktop-pos/src/main.rs");
    let block = readme
        .split_once("```rust,no_run\n")
        .and_then(|(_, rest)| rest.split_once("```"))
        .map(|(block, _)| block)
        .expect("the README's first no_run block");
    assert_eq!(block, example, "copy examples/desktop-pos/src/main.rs into the README");
}
