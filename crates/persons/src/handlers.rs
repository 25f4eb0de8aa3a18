//! The handlers of `udaconnect.v1.PersonService`.

use std::sync::Arc;

use tonic::{Request, Response, Status};
use udaconnect_domain::{FieldError, NewPerson, check_id};
use udaconnect_proto::{
    limits::MAX_BATCH_GET_PERSONS,
    v1::{self, person_service_server::PersonService},
};
use udaconnect_runtime::grpc::ServiceError;
use udaconnect_storage::PersonStore;

use crate::identity::Identity;

/// Handlers of `udaconnect.v1.PersonService`.
#[derive(Debug, Clone)]
pub(crate) struct Persons {
    store: PersonStore,
    identity: Arc<Identity>,
}

impl Persons {
    /// Handlers over `store`, issuing credentials through `identity`.
    pub(crate) fn new(store: PersonStore, identity: Identity) -> Self {
        Self {
            store,
            identity: Arc::new(identity),
        }
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
        if ids.len() > MAX_BATCH_GET_PERSONS {
            return Err(FieldError::new(
                "ids",
                format!("at most {MAX_BATCH_GET_PERSONS} ids per call"),
            )
            .into());
        }
        let persons = self.store.batch_get(ids).await?;
        Ok(v1::BatchGetPersonsResponse {
            persons: persons.into_iter().map(Into::into).collect(),
        })
    }
}

impl Persons {
    async fn set_privacy(&self, id: i64, privacy: v1::Privacy) -> Result<v1::Person, ServiceError> {
        check_id("person_id", id)?;
        let person = self
            .store
            .set_privacy(id, privacy.into())
            .await?
            .ok_or_else(|| ServiceError::NotFound(format!("no person with id {id}")))?;
        tracing::info!(
            id,
            visible_to_others = privacy.visible_to_others,
            location_paused = privacy.location_paused,
            "privacy chosen"
        );
        Ok(person.into())
    }

    async fn restrictions(&self) -> Result<v1::ListRestrictionsResponse, ServiceError> {
        let tokens_issued_after = self.identity.oldest_unexpired_token();
        let (revoked_device_ids, erased_person_ids, paused_person_ids) = tokio::try_join!(
            self.identity.revoked_devices(),
            async { Ok(self.store.erased_since(tokens_issued_after).await?) },
            async { Ok(self.store.paused().await?) },
        )?;
        Ok(v1::ListRestrictionsResponse {
            revoked_device_ids,
            erased_person_ids,
            paused_person_ids,
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

    async fn create_enrollment_code(
        &self,
        request: Request<v1::CreateEnrollmentCodeRequest>,
    ) -> Result<Response<v1::EnrollmentCode>, Status> {
        Ok(Response::new(
            self.identity
                .create_code(request.get_ref().person_id)
                .await?,
        ))
    }

    async fn redeem_enrollment_code(
        &self,
        request: Request<v1::RedeemEnrollmentCodeRequest>,
    ) -> Result<Response<v1::Credential>, Status> {
        Ok(Response::new(
            self.identity.redeem(request.get_ref()).await?,
        ))
    }

    async fn get_key_set(
        &self,
        _request: Request<v1::GetKeySetRequest>,
    ) -> Result<Response<v1::KeySet>, Status> {
        Ok(Response::new(self.identity.key_set().await?))
    }

    async fn list_devices(
        &self,
        request: Request<v1::ListDevicesRequest>,
    ) -> Result<Response<v1::ListDevicesResponse>, Status> {
        Ok(Response::new(
            self.identity.devices(request.get_ref().person_id).await?,
        ))
    }

    async fn revoke_device(
        &self,
        request: Request<v1::RevokeDeviceRequest>,
    ) -> Result<Response<v1::Device>, Status> {
        Ok(Response::new(
            self.identity.revoke(request.get_ref()).await?,
        ))
    }

    async fn list_restrictions(
        &self,
        _request: Request<v1::ListRestrictionsRequest>,
    ) -> Result<Response<v1::ListRestrictionsResponse>, Status> {
        Ok(Response::new(self.restrictions().await?))
    }

    async fn set_privacy(
        &self,
        request: Request<v1::SetPrivacyRequest>,
    ) -> Result<Response<v1::Person>, Status> {
        let request = request.into_inner();
        Ok(Response::new(
            self.set_privacy(request.person_id, request.privacy.unwrap_or_default())
                .await?,
        ))
    }
}
