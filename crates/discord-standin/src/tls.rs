//! The sandbox's REST API over TLS, as `https://discord.com`: a throwaway certificate authority
//! made at start-up signs a certificate for `discord.com`, and a client that trusts that authority
//! and resolves `discord.com` to [`Sandbox::tls_addr`](super::Sandbox::tls_addr) talks to the
//! sandbox exactly as it would talk to Discord.
//!
//! Why: serenity's rate limiter builds every request for `https://discord.com` and ignores
//! `HttpBuilder::proxy` (serenity 0.12.5 `http/ratelimiting.rs`, `Ratelimiter::perform` calls
//! `Request::build(.., None)`), so a bot pointed at a plain-HTTP stand-in through the proxy option
//! must run with the limiter off. Served here, the bot keeps its production configuration (no
//! proxy, limiter on) and only its HTTP client's DNS and trust roots differ.

use anyhow::{Context as _, Result};
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::rustls::{self, ServerConfig};
use tokio_rustls::server::TlsStream;
use tokio_rustls::TlsAcceptor;

/// The host name the certificate is for: the one serenity's routes use.
pub const DISCORD_HOST: &str = "discord.com";

/// A handshake that takes longer than this is dropped (a client that connects and says nothing).
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// A certificate authority (its certificate in DER, to trust) and the server configuration for a
/// `discord.com` certificate it signed.
pub(crate) struct Identity {
    pub root_der: Vec<u8>,
    pub server: Arc<ServerConfig>,
}

/// Makes a fresh authority and a `discord.com` certificate; nothing is written to disk.
pub(crate) fn identity() -> Result<Identity> {
    let ca_key = KeyPair::generate().context("generating the sandbox CA key")?;
    let mut ca_params = CertificateParams::new(Vec::<String>::new())?;
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "discord-standin CA (tests only)");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca_cert = ca_params
        .self_signed(&ca_key)
        .context("signing the sandbox CA")?;
    let issuer = Issuer::new(ca_params, ca_key);

    let leaf_key = KeyPair::generate().context("generating the sandbox server key")?;
    let mut leaf_params = CertificateParams::new(vec![DISCORD_HOST.to_owned()])?;
    leaf_params
        .distinguished_name
        .push(DnType::CommonName, DISCORD_HOST);
    let leaf = leaf_params
        .signed_by(&leaf_key, &issuer)
        .context("signing the sandbox certificate for discord.com")?;

    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut server = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .context("TLS protocol versions")?
        .with_no_client_auth()
        .with_single_cert(
            vec![leaf.der().clone(), ca_cert.der().clone()],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der())),
        )
        .context("the sandbox's TLS configuration")?;
    server.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Identity {
        root_der: CertificateDer::as_ref(ca_cert.der()).to_vec(),
        server: Arc::new(server),
    })
}

/// An axum listener that yields connections whose TLS handshake has completed. Handshakes run in
/// their own tasks, so a slow client never holds up the others.
pub(crate) struct TlsListener {
    local: SocketAddr,
    ready: mpsc::Receiver<(TlsStream<TcpStream>, SocketAddr)>,
}

impl TlsListener {
    pub fn new(tcp: TcpListener, server: Arc<ServerConfig>) -> Result<TlsListener> {
        let local = tcp.local_addr()?;
        let acceptor = TlsAcceptor::from(server);
        let (tx, ready) = mpsc::channel(64);
        tokio::spawn(async move {
            loop {
                let accepted = tokio::select! {
                    // The server stopped and dropped the listener.
                    _ = tx.closed() => return,
                    accepted = tcp.accept() => accepted,
                };
                let (stream, peer) = match accepted {
                    Ok(accepted) => accepted,
                    Err(e) => {
                        tracing::debug!("sandbox TLS accept failed: {e}");
                        tokio::time::sleep(Duration::from_millis(10)).await;
                        continue;
                    }
                };
                // Without TCP_NODELAY an answer waits ~40 ms for Nagle and delayed ACKs.
                let _ = stream.set_nodelay(true);
                let acceptor = acceptor.clone();
                let tx = tx.clone();
                tokio::spawn(async move {
                    match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
                        Ok(Ok(tls)) => {
                            let _ = tx.send((tls, peer)).await;
                        }
                        Ok(Err(e)) => tracing::debug!("sandbox TLS handshake failed: {e}"),
                        Err(_) => tracing::debug!("sandbox TLS handshake timed out"),
                    }
                });
            }
        });
        Ok(TlsListener { local, ready })
    }
}

impl axum::serve::Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.ready.recv().await {
            Some(conn) => conn,
            // The accept loop only ends once this listener is gone.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        Ok(self.local)
    }
}
