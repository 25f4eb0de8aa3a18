//! Runs every sample request of `docs/grpc.txt`, in order, with the real
//! `udaconnect call` against a freshly seeded stack, and checks each answer
//! against the one the document prints: the document cannot drift from the
//! services.

use std::{path::Path, process::Command};

use crate::support::{ORGANIZER_TOKEN, SERVICE_TOKEN, TestApp};

/// One `$ udaconnect call …` line of the document and what it prints.
#[derive(Debug)]
struct Sample {
    line: usize,
    args: Vec<String>,
    expected: String,
}

/// The samples of the document: a line `$ udaconnect call [METHOD ['JSON']]`
/// and the lines up to the next blank line, which are its expected output.
fn samples(document: &str) -> Vec<Sample> {
    let lines: Vec<&str> = document.lines().collect();
    let mut samples = Vec::new();
    for (index, line) in lines.iter().enumerate() {
        let Some(command) = line.trim_start().strip_prefix("$ udaconnect call") else {
            continue;
        };
        let indent = line.len() - line.trim_start().len();
        let expected: Vec<&str> = lines[index + 1..]
            .iter()
            .take_while(|line| !line.trim().is_empty())
            .map(|line| line.get(indent..).unwrap_or(line))
            .collect();
        samples.push(Sample {
            line: index + 1,
            args: arguments(command),
            expected: expected.join("\n"),
        });
    }
    samples
}

/// Splits `METHOD 'JSON'` as a shell would (the document quotes only with
/// single quotes, and never inside them).
fn arguments(command: &str) -> Vec<String> {
    let mut args = Vec::new();
    let mut rest = command.trim();
    while !rest.is_empty() {
        if let Some(quoted) = rest.strip_prefix('\'') {
            let (arg, after) = quoted.split_once('\'').expect("a closing quote");
            args.push(arg.to_owned());
            rest = after.trim_start();
        } else {
            let (arg, after) = rest.split_once(' ').unwrap_or((rest, ""));
            args.push(arg.to_owned());
            rest = after.trim_start();
        }
    }
    args
}

#[test]
fn sample_lines_are_split_like_a_shell_would() {
    assert_eq!(
        arguments(r#" PersonService/GetPerson '{"id": 1, "x": "a b"}'"#),
        ["PersonService/GetPerson", r#"{"id": 1, "x": "a b"}"#]
    );
    assert!(arguments("").is_empty());
}

#[tokio::test]
async fn every_sample_request_of_the_grpc_document_answers_as_documented() {
    let app = TestApp::seeded().await;
    let document =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/grpc.txt"))
            .unwrap();
    let samples = samples(&document);
    assert!(
        samples.len() >= 15,
        "docs/grpc.txt holds its samples ({} found)",
        samples.len()
    );

    // Every stale sample is reported, not only the first.
    let mut mismatches = Vec::new();
    for sample in samples {
        let mut command = Command::new(env!("CARGO_BIN_EXE_udaconnect"));
        command
            .arg("call")
            .args(&sample.args)
            .env("PERSONS_URL", &app.persons_url)
            .env("LOCATIONS_URL", &app.locations_url)
            .env("INGEST_URL", &app.ingest_url)
            .env("EVENTS_URL", &app.events_url)
            .env("UDACONNECT_TOKEN", ORGANIZER_TOKEN)
            .env("SERVICE_TOKEN", SERVICE_TOKEN)
            .env("RUST_LOG", "warn")
            .env_remove("RUST_BACKTRACE")
            .env_remove("RUST_LIB_BACKTRACE");
        let output = tokio::task::spawn_blocking(move || command.output())
            .await
            .unwrap()
            .expect("udaconnect call runs");
        let stdout = String::from_utf8(output.stdout).unwrap();
        let stderr = String::from_utf8(output.stderr).unwrap();
        let context = format!(
            "docs/grpc.txt line {}: {:?}\nstdout:\n{stdout}\nstderr:\n{stderr}",
            sample.line, sample.args
        );

        if let Some(problem) = mismatch(&sample.expected, output.status.success(), &stdout, &stderr)
        {
            mismatches.push(format!("{context}\n{problem}"));
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} samples of docs/grpc.txt answer otherwise:\n\n{}",
        mismatches.len(),
        mismatches.join("\n\n")
    );
}

/// How an answer differs from the documented one, if it does. `Error: `
/// documents a failed call's message; JSON is compared as JSON, anything
/// else as text.
fn mismatch(expected: &str, success: bool, stdout: &str, stderr: &str) -> Option<String> {
    if expected.starts_with("Error: ") {
        return (success || stderr.trim_end() != expected)
            .then(|| format!("expected the call to fail with:\n{expected}"));
    }
    if !success {
        return Some("expected the call to succeed".to_owned());
    }
    let same = match serde_json::from_str::<serde_json::Value>(expected) {
        Ok(expected) => serde_json::from_str::<serde_json::Value>(stdout).ok() == Some(expected),
        Err(_) => stdout.trim_end() == expected,
    };
    (!same).then(|| format!("expected:\n{expected}"))
}
