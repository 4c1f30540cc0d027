/** The relay moved to the fault harness (test/harness); specs written before keep this name. */
export { TcpRelay as TcpProxy } from '../harness/tcp-relay.js';
