//! The README's TLS lines are quoted from `examples/firmware-uart` (which `.ci/run` builds and
//! runs under qemu): the quote stays exact.

#[test]
fn the_readme_quotes_the_uart_firmware_tls_setup_exactly() {
    let readme = include_str!("../README.md");
    let example = include_str!("../../../examples/firmware-uart/src/tls.rs");
    let quote = readme
        .split_once("## TLS (feature `tls`)")
        .and_then(|(_, rest)| rest.split_once("```text\n"))
        .and_then(|(_, rest)| rest.split_once("```"))
        .map(|(quote, _)| quote)
        .expect("the TLS section's quote");
    assert!(example.contains(quote), "not in the example:\n{quote}");
}
