//! Puts memory.x where the linker finds it, and encodes the bare TLS row's request and expected
//! answer as frames (src/bare_tls.rs), so that firmware links no synqpay crate.
use std::{env, fs, path::PathBuf};

use synqpay_link::{ApiKey, Frame};

#[allow(dead_code)]
mod payloads {
    include!("src/payloads.rs");
}

fn frame(frame: Frame<'_>) -> String {
    let mut buf = vec![0u8; frame.encoded_len()];
    let n = frame.encode(&mut buf).unwrap();
    format!("&{:?}", &buf[..n])
}

fn main() {
    let out = PathBuf::from(env::var_os("OUT_DIR").unwrap());
    fs::copy("memory.x", out.join("memory.x")).unwrap();
    let request = frame(Frame::Request {
        api_key: ApiKey::from_bytes(payloads::KEY_BYTES),
        payload: payloads::GET_STATUS,
    });
    let answer = frame(Frame::Response {
        payload: payloads::STATUS,
    });
    fs::write(
        out.join("bare_frames.rs"),
        format!(
            "/// The getStatus request frame.\npub const REQUEST: &[u8] = {request};\n\
             /// The canned device's answer frame.\npub const ANSWER: &[u8] = {answer};\n"
        ),
    )
    .unwrap();
    println!("cargo:rustc-link-search={}", out.display());
    println!("cargo:rerun-if-changed=memory.x");
    println!("cargo:rerun-if-changed=src/payloads.rs");
}
