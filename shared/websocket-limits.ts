/**
 * API Gateway's WebSocket quota on one message: 128 KB, PostToConnection's data included (a larger post is refused
 * with PayloadTooLargeException; the local gateway refuses it alike). Whatever the CSMS posts to a connection, a
 * charger's CALL or an operator's live event, must fit it. The 32 KB frame quota binds the frames a client sends: a
 * post names no frames.
 */
export const MAX_WEBSOCKET_MESSAGE_BYTES = 128 * 1024;
