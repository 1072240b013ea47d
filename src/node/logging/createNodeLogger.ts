/**
 * The node's logger: pino, behind the redaction layer of its logging profile (redactLogFields.ts). Call
 * sites pass a fixed message and a fields object; the layer decides what of it the profile may write.
 * The profile can change at run time, when a scheduled on-chain profile change takes effect.
 */
import { pino, type DestinationStream } from "pino";
import type { LoggingProfile } from "@keepledger/sdk/internal/ids/index";
import { redactLogFields, redactLogMessage, type LogFields } from "./redactLogFields.ts";

export interface NodeLogger {
  readonly profile: LoggingProfile;
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** A logger adding `bindings` to every line (redacted like any field). */
  child(bindings: LogFields): NodeLogger;
  /** Switches every logger of this tree to another profile. */
  setProfile(profile: LoggingProfile): void;
}

export interface CreateNodeLoggerOptions {
  profile: LoggingProfile;
  /** Where JSON lines go (default: stdout). */
  destination?: DestinationStream;
  /** Lowest level written (default "debug" for the debug profile, "info" otherwise). */
  level?: "debug" | "info" | "warn" | "error" | "silent";
}

export function createNodeLogger(options: CreateNodeLoggerOptions): NodeLogger {
  const state = { profile: options.profile };
  const base = pino(
    { level: options.level ?? (options.profile === "debug" ? "debug" : "info"), base: undefined, timestamp: pino.stdTimeFunctions.isoTime },
    options.destination ?? pino.destination({ fd: 1, sync: false }),
  );
  const make = (bindings: LogFields): NodeLogger => {
    const write =
      (level: "debug" | "info" | "warn" | "error") =>
      (message: string, fields: LogFields = {}) => {
        if (!base.isLevelEnabled(level)) return;
        base[level](redactLogFields(state.profile, { ...bindings, ...fields }), redactLogMessage(state.profile, message));
      };
    return {
      // eslint-disable-next-line no-restricted-syntax -- one object per logger, made once (or per child logger)
      get profile() {
        return state.profile;
      },
      debug: write("debug"),
      info: write("info"),
      warn: write("warn"),
      error: write("error"),
      child: (more) => make({ ...bindings, ...more }),
      setProfile(profile) {
        state.profile = profile;
        base.level = options.level ?? (profile === "debug" ? "debug" : "info");
      },
    };
  };
  return make({});
}
