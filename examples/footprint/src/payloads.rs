// The canned device's answers, shared by the firmware (src/canned.rs) and build.rs (the bare
// TLS row's expected answer). Request 1 is getStatus, request 2 startTransaction.

/// The answer to request 1 (getStatus).
pub const STATUS: &[u8] =
    br#"{"jsonrpc":"2.0","id":"f0070001-1","result":{"deviceStatus":"IDLE","cancelable":false}}"#;
/// The events before the sale's result.
pub const WAITING: &[u8] =
    br#"{"jsonrpc":"2.0","method":"transactionEvent","params":{"type":"WAITING_FOR_CARD"}}"#;
pub const DETECTED: &[u8] =
    br#"{"jsonrpc":"2.0","method":"transactionEvent","params":{"type":"CARD_DETECTED"}}"#;
/// The answer to request 2 (startTransaction).
pub const SALE: &[u8] = br#"{"jsonrpc":"2.0","id":"f0070001-2","result":{"result":"OK","transaction":{"transactionStatus":"AUTHORIZED","referenceId":"fw-1","amount":12550,"currency":376}}}"#;
/// The key the client's requests carry.
pub const KEY_BYTES: [u8; 4] = [0x12, 0x34, 0xab, 0xcd];
/// The request the bare TLS row writes: the client's first getStatus, byte for byte.
pub const GET_STATUS: &[u8] =
    br#"{"jsonrpc":"2.0","method":"getStatus","id":"f0070001-1","params":null}"#;
