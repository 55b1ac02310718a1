//! A tonic server behind `InstanceLayer`: every gRPC response, a served call and a
//! failing one, carries the id as response metadata, read by a tonic client.

use instance_id::{InstanceConfig, SystemView};
use tonic::transport::server::TcpIncoming;
use tonic::transport::{Channel, Server};
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;
use tonic_health::pb::HealthCheckRequest;

const POD: &str = "grpc-7d9f8b6c5-xk2p9";

#[tokio::test]
async fn grpc_responses_carry_the_id_as_metadata() {
    let view = SystemView::snapshot("/nonexistent").with_env([("POD_NAME", POD)]);
    let instance = InstanceConfig::new("/inst")
        .view(view)
        .start()
        .expect("the downward API names the pod");

    let (reporter, health) = tonic_health::server::health_reporter();
    reporter
        .set_service_status("shop.Cart", tonic_health::ServingStatus::Serving)
        .await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a port");
    let port = listener.local_addr().expect("an address").port();
    let server = tokio::spawn(
        Server::builder()
            .layer(instance.layer())
            .add_service(health)
            .serve_with_incoming(TcpIncoming::from(listener)),
    );

    let channel = Channel::from_shared(format!("http://127.0.0.1:{port}"))
        .expect("a URI")
        .connect()
        .await
        .expect("the server answers");
    let mut client = HealthClient::new(channel);

    let served = client
        .check(HealthCheckRequest {
            service: "shop.Cart".into(),
        })
        .await
        .expect("a served call");
    assert_eq!(
        served
            .metadata()
            .get("x-instance-id")
            .and_then(|v| v.to_str().ok()),
        Some(POD)
    );
    assert_eq!(served.get_ref().status, ServingStatus::Serving as i32);

    let failed = client
        .check(HealthCheckRequest {
            service: "shop.Unknown".into(),
        })
        .await
        .expect_err("an unknown service is NotFound");
    assert_eq!(failed.code(), tonic::Code::NotFound);
    assert_eq!(
        failed
            .metadata()
            .get("x-instance-id")
            .and_then(|v| v.to_str().ok()),
        Some(POD)
    );
    server.abort();
}
