namespace Vigil.Postgres.Protocol;

/// <summary>
/// The first, untyped packet a client sends (PostgreSQL 15 docs §55.2.1 Start-up, §55.7 Message Formats):
/// one of <see cref="SslRequest"/>, <see cref="GssEncRequest"/>, <see cref="CancelRequest"/> or
/// <see cref="StartupMessage"/>. Produced by <see cref="MessageReader.TryReadStartup"/>.
/// </summary>
public abstract record StartupRequest;
