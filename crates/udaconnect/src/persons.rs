//! The persons service: owns attendee records and answers for them over gRPC.

use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tonic::{Request, Response, Status, service::Routes};
use udaconnect_domain::{NewPerson, check_id};
use udaconnect_proto::v1::{
    self,
    person_service_server::{PersonService, PersonServiceServer},
};
use udaconnect_storage::PersonStore;

use crate::{
    admin,
    config::{PersonsDatabaseArgs, PersonsServerArgs},
    grpc::{self, GrpcService, ServiceError},
};

/// Most ids one `BatchGetPersons` call may ask for.
pub const MAX_BATCH_IDS: usize = 10_000;

/// Database connections the persons service keeps open at most.
const POOL_SIZE: u32 = 10;

/// Handlers of `udaconnect.v1.PersonService`.
#[derive(Debug, Clone)]
pub struct Persons {
    store: PersonStore,
}

impl Persons {
    /// Handlers over `store`.
    pub fn new(store: PersonStore) -> Self {
        Self { store }
    }

    async fn create(&self, request: v1::CreatePersonRequest) -> Result<v1::Person, ServiceError> {
        let person = NewPerson::parse(
            &request.first_name,
            &request.last_name,
            &request.company_name,
        )?;
        let created = self.store.create(&person).await?;
        tracing::info!(id = created.id, "person created");
        Ok(created.into())
    }

    async fn get(&self, id: i64) -> Result<v1::Person, ServiceError> {
        check_id("id", id)?;
        self.store
            .get(id)
            .await?
            .map(Into::into)
            .ok_or_else(|| ServiceError::NotFound(format!("no person with id {id}")))
    }

    async fn list(&self) -> Result<v1::ListPersonsResponse, ServiceError> {
        let persons = self.store.list().await?;
        Ok(v1::ListPersonsResponse {
            persons: persons.into_iter().map(Into::into).collect(),
        })
    }

    async fn batch_get(&self, ids: &[i64]) -> Result<v1::BatchGetPersonsResponse, ServiceError> {
        if ids.len() > MAX_BATCH_IDS {
            return Err(udaconnect_domain::FieldError::new(
                "ids",
                format!("at most {MAX_BATCH_IDS} ids per call"),
            )
            .into());
        }
        let persons = self.store.batch_get(ids).await?;
        Ok(v1::BatchGetPersonsResponse {
            persons: persons.into_iter().map(Into::into).collect(),
        })
    }
}

#[tonic::async_trait]
impl PersonService for Persons {
    async fn create_person(
        &self,
        request: Request<v1::CreatePersonRequest>,
    ) -> Result<Response<v1::Person>, Status> {
        Ok(Response::new(self.create(request.into_inner()).await?))
    }

    async fn get_person(
        &self,
        request: Request<v1::GetPersonRequest>,
    ) -> Result<Response<v1::Person>, Status> {
        Ok(Response::new(self.get(request.get_ref().id).await?))
    }

    async fn list_persons(
        &self,
        _request: Request<v1::ListPersonsRequest>,
    ) -> Result<Response<v1::ListPersonsResponse>, Status> {
        Ok(Response::new(self.list().await?))
    }

    async fn batch_get_persons(
        &self,
        request: Request<v1::BatchGetPersonsRequest>,
    ) -> Result<Response<v1::BatchGetPersonsResponse>, Status> {
        Ok(Response::new(self.batch_get(&request.get_ref().ids).await?))
    }
}

/// Serves the persons service over `store` until `shutdown`.
pub async fn run(
    store: PersonStore,
    listener: TcpListener,
    admin_listener: Option<TcpListener>,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    let service = GrpcService {
        name: "persons",
        proto_name: "udaconnect.v1.PersonService",
        readiness: admin::database_readiness(store.pool().clone()),
        routes: Routes::new(PersonServiceServer::new(Persons::new(store))),
    };
    grpc::serve(service, listener, admin_listener, shutdown).await
}

/// Starts the persons service as configured (`udaconnect persons`).
pub async fn start(
    server: &PersonsServerArgs,
    database: &PersonsDatabaseArgs,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    let pool = udaconnect_storage::connect_lazy(&database.persons_database_url, POOL_SIZE)?;
    run(
        PersonStore::new(pool),
        TcpListener::bind(server.listen).await?,
        Some(TcpListener::bind(server.admin_listen).await?),
        shutdown,
    )
    .await
}
