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
    assert_eq!(
        block, example,
        "copy examples/desktop-pos/src/main.rs into the README"
    );
}

#[test]
fn the_readme_quotes_the_desktop_async_example_exactly() {
    let readme = include_str!("../README.md");
    let example = include_str!("../../../examples/desktop-async/src/main.rs");
    let quote = readme
        .split_once("## Async (tokio)")
        .and_then(|(_, rest)| rest.split_once("```text\n"))
        .and_then(|(_, rest)| rest.split_once("```"))
        .map(|(quote, _)| quote)
        .expect("the async section's quote");
    assert!(
        example.contains(quote),
        "the README's quote is not in the example:\n{quote}"
    );
}
