//! Single sign-on with OpenID Connect: the Authorization Code flow with PKCE and a nonce
//! against any provider. The provider's configuration and keys come from its discovery
//! document (kept five minutes); the ID token's signature, issuer, audience, expiry and nonce
//! are checked by the `openidconnect` crate before `bulwark_core::identity::sso` sees any claim.
//!
//! The `state` sent to the provider is also kept in a cookie of this browser, so an answer
//! meant for another browser (login CSRF) is refused; the sign-in in progress (nonce, PKCE
//! verifier, destination) is kept in the database under the state's hash, used once, for ten
//! minutes at most, so any instance behind a load balancer can take the answer.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use bulwark_core::identity::sso::{self, PendingSignIn, SsoRules, VerifiedIdentity};
use openidconnect::core::{
    CoreAuthDisplay, CoreAuthPrompt, CoreErrorResponseType, CoreGenderClaim, CoreJsonWebKey,
    CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm, CoreProviderMetadata, CoreResponseType,
    CoreRevocableToken, CoreRevocationErrorResponse, CoreTokenIntrospectionResponse, CoreTokenType,
};
use openidconnect::{
    AdditionalClaims, AuthenticationFlow, AuthorizationCode, Client, ClientId, ClientSecret, CsrfToken,
    EmptyExtraTokenFields, EndpointMaybeSet, EndpointNotSet, EndpointSet, IdTokenFields, IssuerUrl, Nonce,
    PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope, StandardErrorResponse, StandardTokenResponse,
    TokenResponse,
};
use serde::{Deserialize, Serialize};
use std::time::{Duration, Instant};
use subtle::ConstantTimeEq;
use tokio::sync::RwLock;

use crate::AppState;
use crate::pages::Chrome;
use crate::pages::auth::safe_next;

const STATE_COOKIE: &str = "bulwark_sso_state";
const CALLBACK_PATH: &str = "/login/sso/callback";
const METADATA_TTL: Duration = Duration::from_secs(300);

/// The instance's single sign-on settings.
#[derive(Clone)]
pub struct SsoSettings {
    /// The provider's issuer URL (its discovery document is under it).
    pub issuer: String,
    pub client_id: String,
    pub client_secret: Option<String>,
    /// Scopes asked for besides `openid`.
    pub scopes: Vec<String>,
    /// The ID token claim that lists the person's groups.
    pub groups_claim: String,
    pub rules: SsoRules,
    /// Refuse the password of accounts linked to the provider.
    pub sso_only: bool,
}

impl std::fmt::Debug for SsoSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SsoSettings")
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret.as_ref().map(|_| "***"))
            .field("scopes", &self.scopes)
            .finish()
    }
}

/// Claims beyond the standard ones (the groups claim among them).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct OtherClaims {
    #[serde(flatten)]
    all: serde_json::Map<String, serde_json::Value>,
}

impl AdditionalClaims for OtherClaims {}

type IdFields = IdTokenFields<
    OtherClaims,
    EmptyExtraTokenFields,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
>;
type OidcClient = Client<
    OtherClaims,
    CoreAuthDisplay,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJsonWebKey,
    CoreAuthPrompt,
    StandardErrorResponse<CoreErrorResponseType>,
    StandardTokenResponse<IdFields, CoreTokenType>,
    CoreTokenIntrospectionResponse,
    CoreRevocableToken,
    CoreRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// The provider as this instance knows it: settings, an HTTP client that never follows
/// redirects, and the discovery document with its keys.
pub struct Provider {
    pub settings: SsoSettings,
    http: reqwest::Client,
    metadata: RwLock<Option<(CoreProviderMetadata, Instant)>>,
    redirect: String,
}

/// Why a sign-in through the provider failed, as the sign-in page says it.
#[derive(Debug)]
pub struct SsoFailure(pub String);

impl Provider {
    pub fn new(settings: SsoSettings, public_url: &str) -> Self {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(15))
            .build()
            .unwrap_or_default();
        Self { settings, http, metadata: RwLock::new(None), redirect: format!("{public_url}{CALLBACK_PATH}") }
    }

    async fn metadata(&self) -> Result<CoreProviderMetadata, SsoFailure> {
        if let Some((m, at)) = self.metadata.read().await.as_ref()
            && at.elapsed() < METADATA_TTL
        {
            return Ok(m.clone());
        }
        let issuer = IssuerUrl::new(self.settings.issuer.clone())
            .map_err(|e| SsoFailure(format!("the issuer URL is not valid: {e}")))?;
        let found = CoreProviderMetadata::discover_async(issuer, &self.http).await.map_err(|e| {
            tracing::warn!(error = %e, "single sign-on discovery failed");
            SsoFailure("The identity provider cannot be reached. Try again later or sign in with your password.".into())
        })?;
        *self.metadata.write().await = Some((found.clone(), Instant::now()));
        Ok(found)
    }

    async fn client(&self) -> Result<OidcClient, SsoFailure> {
        let redirect = RedirectUrl::new(self.redirect.clone()).map_err(|e| SsoFailure(format!("redirect URL: {e}")))?;
        Ok(OidcClient::from_provider_metadata(
            self.metadata().await?,
            ClientId::new(self.settings.client_id.clone()),
            self.settings.client_secret.clone().map(ClientSecret::new),
        )
        .set_redirect_uri(redirect))
    }

    /// The provider's authorization URL for a new sign-in, and its `state`.
    async fn begin(&self, app: &AppState, next: &str) -> Result<(String, String), SsoFailure> {
        let client = self.client().await?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = client
            .authorize_url(
                AuthenticationFlow::<CoreResponseType>::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .set_pkce_challenge(challenge);
        for scope in &self.settings.scopes {
            request = request.add_scope(Scope::new(scope.clone()));
        }
        let (url, state, nonce) = request.url();
        let pending = PendingSignIn {
            nonce: nonce.secret().clone(),
            pkce_verifier: verifier.secret().clone(),
            next: next.to_string(),
            created_at: app.now(),
        };
        sso::remember(app.store.as_ref(), state.secret(), &pending).await.map_err(|e| SsoFailure(e.to_string()))?;
        Ok((url.to_string(), state.secret().clone()))
    }

    /// Exchanges the code and checks the ID token; returns who the provider vouches for.
    async fn finish(&self, code: &str, pending: &PendingSignIn) -> Result<VerifiedIdentity, SsoFailure> {
        let client = self.client().await?;
        let refused = |what: String| {
            tracing::warn!(reason = %what, "single sign-on answer refused");
            SsoFailure("The identity provider's answer could not be verified. Try again.".into())
        };
        let response = client
            .exchange_code(AuthorizationCode::new(code.to_string()))
            .map_err(|e| refused(e.to_string()))?
            .set_pkce_verifier(PkceCodeVerifier::new(pending.pkce_verifier.clone()))
            .request_async(&self.http)
            .await
            .map_err(|e| refused(format!("token request: {e}")))?;
        let id_token = response.id_token().ok_or_else(|| refused("no ID token".into()))?;
        verified_identity(&client, id_token, &pending.nonce, &self.settings.groups_claim).map_err(refused)
    }
}

type IdToken =
    openidconnect::IdToken<OtherClaims, CoreGenderClaim, CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm>;

/// The identity an ID token vouches for, once its signature (by a key of the provider),
/// issuer, audience (this client), expiry and nonce check out.
fn verified_identity(
    client: &OidcClient,
    id_token: &IdToken,
    nonce: &str,
    groups_claim: &str,
) -> Result<VerifiedIdentity, String> {
    let claims = id_token
        .claims(&client.id_token_verifier(), &Nonce::new(nonce.to_string()))
        .map_err(|e| format!("ID token: {e}"))?;
    let groups = match claims.additional_claims().all.get(groups_claim) {
        Some(serde_json::Value::Array(items)) => items.iter().filter_map(|v| v.as_str().map(String::from)).collect(),
        Some(serde_json::Value::String(one)) => vec![one.clone()],
        _ => vec![],
    };
    Ok(VerifiedIdentity {
        issuer: claims.issuer().to_string(),
        subject: claims.subject().to_string(),
        email: claims.email().map(|e| e.to_string()),
        email_verified: claims.email_verified().unwrap_or(false),
        name: claims.name().and_then(|n| n.get(None)).map(|n| n.to_string()),
        groups,
    })
}

#[derive(Deserialize, Default)]
pub struct StartQuery {
    #[serde(default)]
    next: String,
}

/// `GET /login/sso`: off to the provider.
pub async fn start(
    State(app): State<AppState>,
    jar: CookieJar,
    chrome: Chrome,
    Query(q): Query<StartQuery>,
) -> Response {
    let Some(provider) = app.sso.clone() else {
        // Not offered here: the sign-in page, which has no single sign-on button.
        return Redirect::to("/login").into_response();
    };
    match provider.begin(&app, &safe_next(&q.next)).await {
        Ok((url, state)) => {
            let cookie = Cookie::build((STATE_COOKIE, state))
                .http_only(true)
                .same_site(SameSite::Lax)
                .secure(app.config.secure_cookies)
                .path(CALLBACK_PATH)
                .max_age(time::Duration::minutes(10));
            (jar.add(cookie), Redirect::to(&url)).into_response()
        }
        Err(SsoFailure(message)) => failed(&app, jar, chrome, StatusCode::BAD_GATEWAY, &message),
    }
}

#[derive(Deserialize, Default)]
pub struct CallbackQuery {
    #[serde(default)]
    code: String,
    #[serde(default)]
    state: String,
    #[serde(default)]
    error: String,
}

/// `GET /login/sso/callback`: the provider's answer.
pub async fn callback(
    State(app): State<AppState>,
    jar: CookieJar,
    chrome: Chrome,
    Query(q): Query<CallbackQuery>,
) -> Response {
    let Some(provider) = app.sso.clone() else {
        // Not offered here: the sign-in page, which has no single sign-on button.
        return Redirect::to("/login").into_response();
    };
    let jar_without = jar.clone().remove(Cookie::build(STATE_COOKIE).path(CALLBACK_PATH));
    let ours = jar.get(STATE_COOKIE).map(|c| c.value().to_string()).unwrap_or_default();
    if !q.error.is_empty() {
        return failed(&app, jar_without, chrome, StatusCode::FORBIDDEN, "The identity provider did not sign you in.");
    }
    if ours.is_empty() || q.state.is_empty() || !bool::from(ours.as_bytes().ct_eq(q.state.as_bytes())) {
        let message = "This sign-in was started in another browser or has expired. Start again.";
        return failed(&app, jar_without, chrome, StatusCode::BAD_REQUEST, message);
    }
    let pending = match sso::recall(app.store.as_ref(), &q.state, app.now()).await {
        Ok(Some(p)) => p,
        Ok(None) => {
            let message = "This sign-in was used already or has expired. Start again.";
            return failed(&app, jar_without, chrome, StatusCode::BAD_REQUEST, message);
        }
        Err(e) => return crate::error::HtmlError::from(e).into_response(),
    };
    let who = match provider.finish(&q.code, &pending).await {
        Ok(who) => who,
        Err(SsoFailure(message)) => return failed(&app, jar_without, chrome, StatusCode::FORBIDDEN, &message),
    };
    match sso::sign_in(app.store.as_ref(), app.now(), &who, &provider.settings.rules).await {
        Ok((secret, _, account)) => {
            tracing::info!(account = %account.id, "signed in through single sign-on");
            if let Err(e) = crate::pages::auth::end_previous_session(&app, &chrome, &jar_without).await {
                return e.into_response();
            }
            let jar = crate::pages::auth::with_session_cookie(&app, jar_without, secret);
            (jar, Redirect::to(&safe_next(&pending.next))).into_response()
        }
        Err(bulwark_core::CoreError::Invalid(errors)) => {
            let message = errors.first().map(|e| e.message.clone()).unwrap_or_default();
            failed(&app, jar_without, chrome, StatusCode::FORBIDDEN, &message)
        }
        Err(e) => crate::error::HtmlError::from(e).into_response(),
    }
}

/// The sign-in page again, saying what went wrong.
fn failed(app: &AppState, jar: CookieJar, chrome: Chrome, status: StatusCode, message: &str) -> Response {
    crate::pages::auth::login_page_with_error(app, jar, chrome, status, message)
}

#[cfg(test)]
mod tests {
    //! ID tokens a provider would not send: the real provider of the end-to-end test signs only
    //! good ones for the client that asked, so a wrong audience, a wrong nonce, an expired
    //! token and a foreign signature are made here, signed with a fresh RSA key.
    use super::*;
    use openidconnect::core::{CoreJwsSigningAlgorithm as Alg, CoreRsaPrivateSigningKey, CoreSubjectIdentifierType};
    use openidconnect::{
        Audience, AuthUrl, EmptyAdditionalProviderMetadata, IdTokenClaims, JsonWebKeySet, JsonWebKeySetUrl,
        PrivateSigningKey, ResponseTypes, StandardClaims, SubjectIdentifier,
    };

    const ISSUER: &str = "https://idp.example.com";

    fn rsa_key() -> CoreRsaPrivateSigningKey {
        let out = std::process::Command::new("openssl")
            .args(["genrsa", "-traditional", "2048"])
            .stderr(std::process::Stdio::null())
            .output()
            .expect("openssl makes an RSA key");
        CoreRsaPrivateSigningKey::from_pem(&String::from_utf8_lossy(&out.stdout), None).expect("a PKCS#1 key")
    }

    fn client_trusting(key: &CoreRsaPrivateSigningKey) -> OidcClient {
        let metadata = CoreProviderMetadata::new(
            IssuerUrl::new(ISSUER.into()).unwrap(),
            AuthUrl::new(format!("{ISSUER}/authorize")).unwrap(),
            JsonWebKeySetUrl::new(format!("{ISSUER}/jwks")).unwrap(),
            vec![ResponseTypes::new(vec![CoreResponseType::Code])],
            vec![CoreSubjectIdentifierType::Public],
            vec![Alg::RsaSsaPkcs1V15Sha256],
            EmptyAdditionalProviderMetadata {},
        )
        .set_jwks(JsonWebKeySet::new(vec![key.as_verification_key()]));
        OidcClient::from_provider_metadata(
            metadata,
            ClientId::new("bulwark".into()),
            Some(ClientSecret::new("s".into())),
        )
    }

    fn token(key: &CoreRsaPrivateSigningKey, audience: &str, nonce: &str, expires_in: chrono::Duration) -> IdToken {
        let now = chrono::Utc::now();
        let mut extra = serde_json::Map::new();
        extra.insert("groups".into(), serde_json::json!(["isms-admins"]));
        let claims = IdTokenClaims::new(
            IssuerUrl::new(ISSUER.into()).unwrap(),
            vec![Audience::new(audience.into())],
            now + expires_in,
            now,
            StandardClaims::new(SubjectIdentifier::new("ada".into())),
            OtherClaims { all: extra },
        )
        .set_nonce(Some(Nonce::new(nonce.into())));
        IdToken::new(claims, key, Alg::RsaSsaPkcs1V15Sha256, None, None).expect("signed")
    }

    #[test]
    fn only_a_fresh_token_for_this_client_with_its_nonce_and_the_providers_signature_passes() {
        let key = rsa_key();
        let client = client_trusting(&key);
        let hour = chrono::Duration::hours(1);
        let good = verified_identity(&client, &token(&key, "bulwark", "n1", hour), "n1", "groups").unwrap();
        assert_eq!((good.subject.as_str(), good.groups.as_slice()), ("ada", &["isms-admins".to_string()][..]));
        let wrong_audience = verified_identity(&client, &token(&key, "another-app", "n1", hour), "n1", "groups");
        assert!(wrong_audience.unwrap_err().contains("audience"), "a token for another client");
        let wrong_nonce = verified_identity(&client, &token(&key, "bulwark", "n2", hour), "n1", "groups");
        assert!(wrong_nonce.unwrap_err().contains("nonce"), "a token for another sign-in");
        let expired = verified_identity(&client, &token(&key, "bulwark", "n1", -hour), "n1", "groups");
        assert!(expired.unwrap_err().contains("expire"), "an expired token");
        let forged = verified_identity(&client, &token(&rsa_key(), "bulwark", "n1", hour), "n1", "groups");
        assert!(forged.is_err(), "a token signed by another key");
    }
}
