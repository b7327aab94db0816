namespace Vigil.Sessions;

/// <summary>Session statuses as the API reports them (DESIGN.md external contract).</summary>
public static class SessionStatus
{
    /// <summary>Still running.</summary>
    public const string Open = "open";
    /// <summary>Finished normally.</summary>
    public const string Done = "done";
    /// <summary>Ended by an error or a protocol/transport fault; <c>reason</c> says which.</summary>
    public const string Failed = "failed";
    /// <summary>The pipeline refused the command.</summary>
    public const string Blocked = "blocked";
    /// <summary>The command waits for a review (<c>review</c> names it); nothing ran.</summary>
    public const string WaitingReview = "waiting_review";
    /// <summary>The command's review was rejected (or withdrawn by the requester); it never ran.</summary>
    public const string Rejected = "rejected";
    /// <summary>The command's review expired without a decision (or its approval went unused); it never ran.</summary>
    public const string Expired = "expired";
    /// <summary>
    /// The gateway that ran the session stopped without closing it (killed, crashed, power lost); the recovery pass
    /// at the next start (or, with a shared store, another instance that saw its owner's heartbeat stop) set this with
    /// <c>reason</c> "gateway stopped". Its recording may lack the last events, so <c>events_lost</c> is null (unknown).
    /// </summary>
    public const string Interrupted = "interrupted";

    /// <summary>Every status, in documentation order (the values the <c>status</c> filter accepts).</summary>
    public static readonly string[] All = [Open, Done, Failed, Blocked, WaitingReview, Rejected, Expired, Interrupted];
}
