// SPDX-License-Identifier: Apache-2.0
// vsctl: client side of the vswitchd control protocol
// (docs/control-protocol.md): one JSON object per line over a unix socket.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

// Largest response line accepted from the server, newline included.
#define VS_CLIENT_MAX_RESPONSE (16 * 1024 * 1024)

// Status of a client operation.
enum vs_client_status {
	VS_CLIENT_OK = 0,
	VS_CLIENT_FAILED = -1,	 // transport or protocol failure (err set)
	VS_CLIENT_REJECTED = -2, // the server answered with an error (err set)
};

struct vs_client {
	int fd;		      // -1 when closed
	int64_t deadline_ms;  // CLOCK_MONOTONIC, or -1 for no deadline
	long long timeout_ms; // as given to vs_client_open(), for messages
	long long next_id;    // id of the next request
	char *buf;	      // received bytes not yet consumed
	size_t len, cap;
	char err[1024]; // last error, one line, no "vsctl: " prefix
	char code[32];	// server error code after VS_CLIENT_REJECTED
};

// Connects to the unix stream socket at 'path'. 'timeout_ms' bounds
// everything done with this client (connect and all requests); 0 means wait
// forever. On failure returns VS_CLIENT_FAILED with 'err' set; the client
// must still be passed to vs_client_close().
int vs_client_open(struct vs_client *, const char *path, long long timeout_ms);

// Sends one request line {"id":N,"method":...,"params":...} and reads one
// response line. 'params' is borrowed (NULL sends an empty object). On
// success stores the parsed response object (a new reference) in
// '*response', without checking its contents beyond it being an object.
int vs_client_transact(struct vs_client *, const char *method, json_t *params, json_t **response);

// vs_client_transact() plus validation of the response: on success stores
// the "result" object (a new reference) in '*result'. A server error gives
// VS_CLIENT_REJECTED with 'err' holding the server's message and 'code'
// its code.
int vs_client_call(struct vs_client *, const char *method, json_t *params, json_t **result);

// Closes the connection and frees the buffers. Safe to call twice.
void vs_client_close(struct vs_client *);
