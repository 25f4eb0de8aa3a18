//! `udaconnect call`: a gRPC client for people, taking and printing protobuf
//! JSON. grpcurl is not available on the development machines, so the binary
//! carries its own, driven by the descriptors compiled into it: any method of
//! any UdaConnect service can be called without generated client code.

use std::{io::Read, str::FromStr};

use anyhow::{Context, anyhow};
use clap::Args;
use http::uri::PathAndQuery;
use prost::Message;
use prost_reflect::{
    DescriptorPool, DynamicMessage, MessageDescriptor, MethodDescriptor, SerializeOptions,
};
use tonic::{
    Request, Status,
    codec::{Codec, DecodeBuf, Decoder, EncodeBuf, Encoder},
};

use udaconnect_runtime::{
    ServiceTokenArgs,
    config::{EventsPeerArgs, IngestPeerArgs, LocationsPeerArgs, PersonsPeerArgs},
    grpc,
};

/// What `udaconnect call` sends, and where.
#[derive(Debug, Clone, Args)]
pub struct CallArgs {
    /// The method, as `Service/Method` (`PersonService/GetPerson`; the
    /// package may be given too). Without it, every service and method is
    /// listed.
    pub method: Option<String>,
    /// The request as protobuf JSON (proto field names or their camelCase
    /// forms; timestamps as RFC 3339), `-` to read it from standard input.
    /// A client-streaming method takes a JSON array: one message per element.
    /// A server-streaming method's answers are printed as a JSON array.
    #[arg(default_value = "{}")]
    pub request: String,
    /// Server URL; by default the service's own (`PERSONS_URL`,
    /// `LOCATIONS_URL`, `INGEST_URL` or `EVENTS_URL`).
    #[arg(long)]
    pub address: Option<String>,
    /// A bearer token sent as the call's `authorization` metadata: ingest
    /// takes a phone's device token or the organizer's token.
    #[arg(long, env = "UDACONNECT_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
    /// The token sent to the internal services (persons, locations,
    /// events), which answer UdaConnect's services only.
    #[command(flatten)]
    pub service: ServiceTokenArgs,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub persons: PersonsPeerArgs,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub locations: LocationsPeerArgs,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub ingest: IngestPeerArgs,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub events: EventsPeerArgs,
}

/// Runs `udaconnect call`: lists the methods, or makes one call and prints
/// the response as pretty JSON. A call that fails returns its status code
/// and message as the error.
pub async fn run(args: CallArgs) -> anyhow::Result<()> {
    let pool = DescriptorPool::decode(udaconnect_proto::FILE_DESCRIPTOR_SET)
        .context("the descriptors compiled into the binary are valid")?;
    let Some(name) = &args.method else {
        print!("{}", method_list(&pool));
        return Ok(());
    };
    let method = find_method(&pool, name)?;
    let request = if args.request == "-" {
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text)?;
        text
    } else {
        args.request.clone()
    };
    let address = args
        .address
        .clone()
        .unwrap_or_else(|| default_address(&args, &method));
    let token = match method.parent_service().name() {
        "IngestService" => args.token.as_deref(),
        _ => args.service.service_token.as_deref(),
    };
    let token = token
        .map(grpc::BearerToken::new)
        .transpose()
        .context("the token is not visible ASCII")?;
    let response = call(&address, &method, &request, token.as_ref()).await?;
    println!("{response}");
    Ok(())
}

/// Every service and method with its request and response types, one per line.
fn method_list(pool: &DescriptorPool) -> String {
    let mut list = String::new();
    for service in pool.services() {
        list.push_str(service.full_name());
        list.push('\n');
        for method in service.methods() {
            let stream = |streaming: bool| if streaming { "stream " } else { "" };
            list.push_str(&format!(
                "  {}({}{}) returns ({}{})\n",
                method.name(),
                stream(method.is_client_streaming()),
                method.input().full_name(),
                stream(method.is_server_streaming()),
                method.output().full_name()
            ));
        }
    }
    list
}

/// Finds `Service/Method` (or `Service.Method`), the package optional.
fn find_method(pool: &DescriptorPool, name: &str) -> anyhow::Result<MethodDescriptor> {
    let (service_name, method_name) = name
        .rsplit_once(['/', '.'])
        .ok_or_else(|| anyhow!("{name:?} is not of the form Service/Method"))?;
    let service = pool
        .services()
        .find(|service| service.full_name() == service_name || service.name() == service_name)
        .ok_or_else(|| {
            anyhow!("no service {service_name:?}; `udaconnect call` lists the services")
        })?;
    service
        .methods()
        .find(|method| method.name() == method_name)
        .ok_or_else(|| {
            anyhow!(
                "{} has no method {method_name:?}; `udaconnect call` lists them",
                service.full_name()
            )
        })
}

/// The URL a service answers at when `--address` is not given.
fn default_address(args: &CallArgs, method: &MethodDescriptor) -> String {
    match method.parent_service().name() {
        "PersonService" => args.persons.persons_url.clone(),
        "IngestService" => args.ingest.ingest_url.clone(),
        "EventService" => args.events.events_url.clone(),
        _ => args.locations.locations_url.clone(),
    }
}

/// A request of `message`, signed with `token` if there is one.
fn signed<T>(message: T, token: Option<&grpc::BearerToken>) -> Request<T> {
    let mut request = Request::new(message);
    if let Some(token) = token {
        token.apply(&mut request);
    }
    request
}

/// Calls `method` at `address` with the JSON `request` (signed with
/// `token`, if any) and answers the response as pretty JSON (a JSON array
/// of the messages, when the method streams its response).
pub async fn call(
    address: &str,
    method: &MethodDescriptor,
    request: &str,
    token: Option<&grpc::BearerToken>,
) -> anyhow::Result<String> {
    let path = PathAndQuery::from_str(&format!(
        "/{}/{}",
        method.parent_service().full_name(),
        method.name()
    ))?;
    let codec = DynamicCodec {
        response: method.output(),
    };
    let mut client = tonic::client::Grpc::new(grpc::channel(address)?);
    client
        .ready()
        .await
        .with_context(|| format!("cannot reach {address}"))?;
    let failed = |status: tonic::Status| anyhow!("{}: {}", code_name(&status), status.message());
    match (method.is_client_streaming(), method.is_server_streaming()) {
        (false, false) => {
            let message = parse_message(method.input(), request)?;
            let response = client
                .unary(signed(message, token), path, codec)
                .await
                .map_err(failed)?;
            pretty_json(&response.into_inner())
        }
        (true, false) => {
            let messages = tokio_stream::iter(parse_messages(method.input(), request)?);
            let response = client
                .client_streaming(signed(messages, token), path, codec)
                .await
                .map_err(failed)?;
            pretty_json(&response.into_inner())
        }
        (client_streaming, true) => {
            let messages = if client_streaming {
                parse_messages(method.input(), request)?
            } else {
                vec![parse_message(method.input(), request)?]
            };
            let mut responses = client
                .streaming(signed(tokio_stream::iter(messages), token), path, codec)
                .await
                .map_err(failed)?
                .into_inner();
            let mut answers = Vec::new();
            while let Some(message) = responses.message().await.map_err(failed)? {
                answers.push(pretty_json(&message)?);
            }
            let indented: Vec<String> = answers
                .iter()
                .map(|answer| {
                    answer
                        .lines()
                        .map(|line| format!("  {line}"))
                        .collect::<Vec<_>>()
                        .join("\n")
                })
                .collect();
            Ok(format!("[\n{}\n]", indented.join(",\n")))
        }
    }
}

/// The messages of a client-streaming request: a JSON array, one element a
/// message.
fn parse_messages(
    descriptor: MessageDescriptor,
    request: &str,
) -> anyhow::Result<Vec<DynamicMessage>> {
    let messages: Vec<serde_json::Value> = serde_json::from_str(request)
        .context("a client-streaming method takes a JSON array of messages")?;
    messages
        .iter()
        .map(|message| parse_message(descriptor.clone(), &message.to_string()))
        .collect()
}

/// Reads a request message from protobuf JSON, naming the message on error.
fn parse_message(descriptor: MessageDescriptor, json: &str) -> anyhow::Result<DynamicMessage> {
    let name = descriptor.full_name().to_owned();
    let mut deserializer = serde_json::Deserializer::from_str(json);
    let message = DynamicMessage::deserialize(descriptor, &mut deserializer)
        .with_context(|| format!("the request is not a valid {name} in JSON"))?;
    deserializer
        .end()
        .with_context(|| format!("the request is not a valid {name} in JSON"))?;
    Ok(message)
}

/// Protobuf JSON with the proto's own field names and 64-bit integers as
/// numbers, which is what people read and what they can paste back.
fn pretty_json(message: &DynamicMessage) -> anyhow::Result<String> {
    let mut out = Vec::new();
    let mut serializer = serde_json::Serializer::pretty(&mut out);
    message.serialize_with_options(
        &mut serializer,
        &SerializeOptions::new()
            .use_proto_field_name(true)
            .stringify_64_bit_integers(false),
    )?;
    Ok(String::from_utf8(out)?)
}

/// The status code as the gRPC specification spells it (`NOT_FOUND`).
fn code_name(status: &Status) -> String {
    let debug = format!("{:?}", status.code());
    let mut name = String::new();
    for (index, letter) in debug.char_indices() {
        if letter.is_uppercase() && index > 0 {
            name.push('_');
        }
        name.push(letter.to_ascii_uppercase());
    }
    name
}

/// Sends and receives messages whose types are known only at run time.
struct DynamicCodec {
    response: MessageDescriptor,
}

impl Codec for DynamicCodec {
    type Encode = DynamicMessage;
    type Decode = DynamicMessage;
    type Encoder = DynamicEncoder;
    type Decoder = DynamicDecoder;

    fn encoder(&mut self) -> Self::Encoder {
        DynamicEncoder
    }

    fn decoder(&mut self) -> Self::Decoder {
        DynamicDecoder(self.response.clone())
    }
}

struct DynamicEncoder;

impl Encoder for DynamicEncoder {
    type Item = DynamicMessage;
    type Error = Status;

    fn encode(&mut self, item: DynamicMessage, dst: &mut EncodeBuf<'_>) -> Result<(), Status> {
        item.encode(dst)
            .map_err(|error| Status::internal(format!("encoding the request: {error}")))
    }
}

struct DynamicDecoder(MessageDescriptor);

impl Decoder for DynamicDecoder {
    type Item = DynamicMessage;
    type Error = Status;

    fn decode(&mut self, src: &mut DecodeBuf<'_>) -> Result<Option<DynamicMessage>, Status> {
        DynamicMessage::decode(self.0.clone(), src)
            .map(Some)
            .map_err(|error| Status::internal(format!("decoding the response: {error}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pool() -> DescriptorPool {
        DescriptorPool::decode(udaconnect_proto::FILE_DESCRIPTOR_SET).unwrap()
    }

    #[test]
    fn methods_are_found_with_or_without_the_package() {
        let pool = pool();
        for name in [
            "udaconnect.v1.PersonService/GetPerson",
            "PersonService/GetPerson",
            "PersonService.GetPerson",
        ] {
            assert_eq!(
                find_method(&pool, name).unwrap().full_name(),
                "udaconnect.v1.PersonService.GetPerson"
            );
        }
        for wrong in ["GetPerson", "PersonService/Nope", "Nope/GetPerson"] {
            assert!(find_method(&pool, wrong).is_err(), "{wrong} is refused");
        }
    }

    #[test]
    fn every_method_is_listed() {
        let list = method_list(&pool());
        assert!(list.contains("udaconnect.v1.IngestService\n"));
        assert!(list.contains(
            "  StreamPings(stream udaconnect.v1.Ping) returns (stream udaconnect.v1.PingStreamAck)\n"
        ));
        assert!(list.contains("  FindContacts(udaconnect.v1.FindContactsRequest)"));
    }

    #[test]
    fn bad_json_names_the_message() {
        let pool = pool();
        let method = find_method(&pool, "PersonService/GetPerson").unwrap();
        let error = parse_message(method.input(), r#"{"identifier": 1}"#).unwrap_err();
        assert!(
            format!("{error:#}").contains("udaconnect.v1.GetPersonRequest"),
            "{error:#}"
        );
    }

    #[test]
    fn status_codes_are_spelled_as_in_the_specification() {
        assert_eq!(code_name(&Status::not_found("")), "NOT_FOUND");
        assert_eq!(code_name(&Status::invalid_argument("")), "INVALID_ARGUMENT");
        assert_eq!(code_name(&Status::unavailable("")), "UNAVAILABLE");
    }
}
