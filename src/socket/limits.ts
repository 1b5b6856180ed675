/** Numbers Python uses internally that are not module constants. */

/** Python's `socket.listen()` default backlog is min(SOMAXCONN, 128). */
export const DEFAULT_BACKLOG = 128;

/** Python's `io.DEFAULT_BUFFER_SIZE`, used by makefile(). */
export const DEFAULT_BUFFER_SIZE = 8192;

export const PORT_MAX = 65535;
