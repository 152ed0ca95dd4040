//! The simulator's other methods (issue 12): parameters validated with `synqpay-rpc`'s types
//! (102 when a member is missing, 103 when one does not fit), settlements numbered and found
//! again, the configuration typed (spec/api.md "Methods", spec/protocol.md §4).

use synqpay_rpc::{
    GetConfig, GetSettlement, GetSettlementParams, Host, RpcErrorCode, Settlement,
    SettlementLookup, SettlementParams, StartTransactionParams, Text,
};
use synqpay_sim::Simulator;
use synqpay_std::Client;

mod support;
use support::{paired, rpc_code as code};

fn setup() -> (Simulator, Client) {
    paired(5)
}

#[test]
fn parameters_are_validated_and_named() {
    let (_sim, mut client) = setup();
    // Found before: `userInput {}` was answered OK.
    assert_eq!(
        code(client.call_raw("userInput", Some("{}"))),
        RpcErrorCode::MissingParams
    );
    assert_eq!(
        code(client.call_raw("readCard", Some(r#"{"commandId":5}"#))),
        RpcErrorCode::InvalidParams
    );
    assert_eq!(
        code(client.call_raw("settlement", Some("{}"))),
        RpcErrorCode::MissingParams
    );
    let reply = client
        .call_raw(
            "userInput",
            Some(r#"{"commandId":"c1","inputType":"NUMERIC"}"#),
        )
        .unwrap();
    let json: serde_json::Value = serde_json::from_str(&reply.result_json().unwrap()).unwrap();
    assert_eq!(
        (json["commandId"].as_str(), json["result"].as_str()),
        (Some("c1"), Some("OK"))
    );
}

#[test]
fn settlements_are_numbered_and_found_again() {
    let (_sim, mut client) = setup();
    let settle = |client: &mut Client| {
        let params = SettlementParams {
            host: Host::Shva,
            report_format: None,
            reset_gen: None,
        };
        let reply = client.call::<Settlement>(&params).unwrap();
        let result = reply.result().unwrap();
        result.settlement.unwrap().batch_no.unwrap().to_string()
    };
    let sale = StartTransactionParams::sale(
        synqpay_rpc::ReferenceId::new("b-1").unwrap(),
        synqpay_rpc::Amount::ils(1500),
    );
    client.start_transaction(&sale, &mut |_| {}).unwrap();
    assert_eq!(settle(&mut client), "0001");
    assert_eq!(settle(&mut client), "0002");
    let find = |client: &mut Client, method, value: Option<&str>| {
        let params = GetSettlementParams {
            lookup_method: method,
            lookup_value: value.map(Text::new),
        };
        client
            .call::<GetSettlement>(&params)
            .map(|a| a.into_reply())
    };
    // Found before: getSettlement ignored its lookup and answered batch 0001.
    let last = find(&mut client, SettlementLookup::LastSettlement, None).unwrap();
    assert_eq!(
        last.result::<GetSettlement>().unwrap().batch_no.unwrap(),
        "0002"
    );
    let first = find(&mut client, SettlementLookup::BatchNo, Some("0001")).unwrap();
    let first = first.result::<GetSettlement>().unwrap();
    assert_eq!(first.settled_transactions.len(), 1);
    assert_eq!(first.settled_transactions[0].reference_id.unwrap(), "b-1");
    let missing = find(&mut client, SettlementLookup::BatchNo, Some("0099"));
    assert_eq!(
        code(missing),
        RpcErrorCode::HostDisabled,
        "401: SettlementNotFound"
    );
    let all = client.call_raw("querySettlements", Some("{}")).unwrap();
    let all: serde_json::Value = serde_json::from_str(&all.result_json().unwrap()).unwrap();
    assert_eq!(all.as_array().map(Vec::len), Some(2));
}

#[test]
fn the_configuration_is_typed_and_set_member_by_member() {
    let (_sim, mut client) = setup();
    let config = client.call::<GetConfig>(&synqpay_rpc::NoParams).unwrap();
    let config = config.result().unwrap();
    assert_eq!(
        config.cached_responses,
        Some(false),
        "off at start, as on a device"
    );
    client
        .call_raw("setConfig", Some(r#"{"config":{"cachedResponses":true}}"#))
        .unwrap();
    let config = client.call::<GetConfig>(&synqpay_rpc::NoParams).unwrap();
    let config = config.result().unwrap();
    assert_eq!(
        (config.cached_responses, config.print_settlement),
        (Some(true), Some(false))
    );
}

#[test]
fn an_unknown_host_or_payment_method_is_refused_by_its_code() {
    let (_sim, mut client) = setup();
    // spec/protocol.md §4: 401 HostDisabled, 300 PaymentMethodDisabled.
    let settlement = client.call_raw("settlement", Some(r#"{"host":"ISRACARD"}"#));
    assert_eq!(code(settlement), RpcErrorCode::HostDisabled);
    let deposit = client.call_raw("deposit", Some(r#"{"host":"ISRACARD"}"#));
    assert_eq!(code(deposit), RpcErrorCode::HostDisabled);
    let cash = client.call_raw(
        "startTransaction",
        Some(
            r#"{"paymentMethod":"CASH","transactionType":"SALE","referenceId":"pm-1","amount":100,"currency":376}"#,
        ),
    );
    assert_eq!(code(cash), RpcErrorCode::PaymentMethodDisabled);
}

/// What goes to the host with a batch (spec/api.md "Settlement object", `batchFile` types
/// R/V/I): a captured sale as R, a voided one as V, a refund's credit as I; a declined sale
/// moved no money and is never in a batch, nor settled.
#[test]
fn a_declined_sale_is_never_in_a_batch_nor_settled() {
    let (_sim, mut client) = setup();
    let sell = |client: &mut Client, reference: &str, minor_units: i64| {
        let sale = StartTransactionParams::sale(
            synqpay_rpc::ReferenceId::new(reference).unwrap(),
            synqpay_rpc::Amount::ils(minor_units),
        );
        client.start_transaction(&sale, &mut |_| {}).unwrap();
    };
    sell(&mut client, "r-captured", 1500);
    // An amount ending in 01 is declined (the default scenario).
    sell(&mut client, "r-declined", 1501);
    let batch = client.call_raw("getBatchFileStatus", None).unwrap();
    let batch: serde_json::Value = serde_json::from_str(&batch.result_json().unwrap()).unwrap();
    let entries: Vec<(String, String)> = batch["mainTerminal"]["batchFile"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["type"].as_str().unwrap().to_string(),
                e["referenceId"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        entries,
        [("R".to_string(), "r-captured".to_string())],
        "{batch}"
    );

    let params = SettlementParams {
        host: Host::Shva,
        report_format: None,
        reset_gen: None,
    };
    let reply = client.call::<Settlement>(&params).unwrap();
    let settled = reply
        .result()
        .unwrap()
        .settlement
        .unwrap()
        .settled_transactions;
    let references: Vec<String> = settled
        .iter()
        .map(|t| t.reference_id.unwrap().to_string())
        .collect();
    assert_eq!(references, ["r-captured"]);
    let declined = client
        .lookup_transaction(synqpay_rpc::ReferenceId::new("r-declined").unwrap())
        .unwrap();
    let declined = declined.result().unwrap().transaction.unwrap();
    assert_eq!(
        declined.transaction_status,
        Some(synqpay_rpc::TransactionStatus::Declined),
        "a settlement leaves a declined sale as it was"
    );
}
