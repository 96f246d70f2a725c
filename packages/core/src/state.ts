import type { PayloadTime } from '@taskscope/wire';
import type { InterfaceRates, NetworkCounters } from './types.js';

/*
 * What one poll hands to the next. Plain JSON data (PayloadTime is two numbers), never
 * mutated: every diffSnapshot returns a fresh object. Containers are keyed by their
 * task-definition NAME, the identity every exporter labels by, so a new DockerId under
 * the same name is seen as the same series restarting rather than as a new series.
 */

/** The rates of a container's latest interval, repeated verbatim on a duplicate sample. */
export interface ContainerRates {
  readonly intervalSeconds?: number;
  readonly cores?: number;
  readonly readBytesDelta?: number;
  readonly writeBytesDelta?: number;
  readonly readBytesPerSecond?: number;
  readonly writeBytesPerSecond?: number;
}

/** The cumulative counters a later sample is diffed against. */
export interface ContainerBaseline {
  readonly read: PayloadTime;
  readonly cpuTotalNs: number;
  readonly blockIo?: { readonly readBytes: number; readonly writeBytes: number };
  readonly rates: ContainerRates;
}

export interface ContainerState {
  readonly dockerId: string;
  /** Whether this poll had a stats sample for it (a change makes the task sample fresh). */
  readonly sampled: boolean;
  readonly startedAt?: string;
  readonly restartCount?: number;
  readonly counterStartMs?: number;
  /** Kept while the stats entry is `null`, so a container that comes back resumes its series. */
  readonly baseline?: ContainerBaseline;
}

export interface InterfaceState {
  /** The container whose readings the rates follow (see diffSnapshot). */
  readonly source: string;
  readonly read: PayloadTime;
  readonly counters: NetworkCounters;
  readonly rates: InterfaceRates;
}

/**
 * The computation's memory between polls. Opaque to callers: store it and pass it back.
 * JSON-serialisable, so an agent may persist it across its own restarts.
 */
export interface CoreState {
  readonly version: 1;
  /** By container name. */
  readonly containers: Readonly<Record<string, ContainerState>>;
  /** By interface key: `task/<iface>` (awsvpc) or `container/<name>/<iface>` (bridge). */
  readonly interfaces: Readonly<Record<string, InterfaceState>>;
}
