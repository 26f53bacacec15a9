import { type ApiRequest, type ApiResult, bodyOf, paramOf, type RouteImplementation } from "../../api/http";
import { ApiProblem, badRequest } from "../../api/problem";
import {
  ConsentChangeSchema,
  ConsentPurposeSchema,
  DeviceSchema,
  PreferencesPatchSchema,
  PreferencesSchema,
  ServiceFeedbackSchema,
} from "../../api/schemas";
import { CONSENT_PURPOSES, type ConsentPurpose, type Consents } from "../../domain/consents";
import type { Preferences } from "../../domain/preferences";
import { normalizeText } from "../../domain/text";
import { type CustomerDataStore, VersionConflictError } from "../../ports/customer-data";

/** Attempts of a consent write that keeps meeting a concurrent change. */
const CONSENT_ATTEMPTS = 3;

function etagOf(version: number): string {
  return `"v${version}"`;
}

function preferencesResult(preferences: Preferences, version: number, status = 200): ApiResult {
  return { status, body: { ...preferences, version }, headers: { etag: etagOf(version) } };
}

function consentView(purpose: ConsentPurpose, consents: Consents) {
  const record = consents[purpose];
  return {
    purpose,
    granted: record?.granted === true,
    at: record?.at ?? null,
    textVersion: record?.textVersion ?? null,
  };
}

function purposeOf(request: ApiRequest): ConsentPurpose {
  return ConsentPurposeSchema.parse(paramOf(request, "purpose"));
}

/**
 * Checks If-Match against the stored version, so a write from a stale screen never lands. As HTTP
 * defines it (RFC 9110, section 13.1.1), "*" matches any version, a list matches when one of its
 * ETags does, and a weak ETag never matches.
 */
function matchesIfMatch(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  if (header.trim() === "*") return true;
  return header.split(",").some((candidate) => candidate.trim() === etag);
}

function checkIfMatch(request: ApiRequest, version: number): void {
  if (!matchesIfMatch(request.ifMatch, etagOf(version))) {
    throw new ApiProblem(
      412,
      "Precondition Failed",
      `The preferences changed since they were read (current ETag ${etagOf(version)}); read them again and reapply the change`,
      [{ field: "headers.if-match", message: `does not match the current ETag ${etagOf(version)}` }],
      { etag: etagOf(version) },
    );
  }
}

/** The settings routes: preferences, devices, consents and service feedback. */
export function settingsRoutes(store: CustomerDataStore): Record<string, RouteImplementation> {
  async function writePreferences(
    request: ApiRequest,
    change: (current: Preferences) => Preferences,
  ): Promise<ApiResult> {
    const current = await store.getPreferences(request.customerId);
    checkIfMatch(request, current.version);
    const next = change(current.preferences);
    let version: number;
    try {
      version = await store.putPreferences(request.customerId, next, current.version, request.now);
    } catch (error) {
      if (!(error instanceof VersionConflictError)) throw error;
      throw new ApiProblem(
        412,
        "Precondition Failed",
        "The preferences changed while this request ran; read them again",
      );
    }
    if (
      next.timeZone !== current.preferences.timeZone ||
      next.paymentReminderLeadDays !== current.preferences.paymentReminderLeadDays
    ) {
      await store.reindexDueEntries(request.customerId, next);
    }
    return preferencesResult(next, version);
  }

  return {
    getPreferences: async (request) => {
      const { preferences, version } = await store.getPreferences(request.customerId);
      return preferencesResult(preferences, version);
    },
    replacePreferences: (request) => writePreferences(request, () => bodyOf(request, PreferencesSchema)),
    updatePreferences: (request) =>
      writePreferences(request, (current) => {
        const patch = bodyOf(request, PreferencesPatchSchema);
        if (Object.keys(patch).length === 0)
          throw badRequest("The patch names no preference to change", [
            { field: "body", message: "must name at least one preference" },
          ]);
        const defined = Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined));
        return { ...current, ...defined };
      }),

    registerDevice: async (request) => {
      const device = bodyOf(request, DeviceSchema);
      await store.putDevice(
        request.customerId,
        paramOf(request, "deviceId"),
        device.platform,
        device.token,
        request.now,
      );
      return { status: 204 };
    },
    removeDevice: async (request) => {
      await store.deleteDevice(request.customerId, paramOf(request, "deviceId"));
      return { status: 204 };
    },

    listConsents: async (request) => {
      const { consents } = await store.getConsents(request.customerId);
      return {
        status: 200,
        body: { consents: CONSENT_PURPOSES.map((purpose) => consentView(purpose, consents)) },
      };
    },
    getConsent: async (request) => {
      const { consents } = await store.getConsents(request.customerId);
      return { status: 200, body: consentView(purposeOf(request), consents) };
    },
    setConsent: async (request) => {
      const purpose = purposeOf(request);
      const change = bodyOf(request, ConsentChangeSchema);
      const record = {
        granted: change.granted,
        at: request.now.toISOString(),
        textVersion: change.textVersion,
      };
      for (let attempt = 1; ; attempt += 1) {
        const { version } = await store.getConsents(request.customerId);
        try {
          await store.setConsent(request.customerId, purpose, record, version);
          return { status: 200, body: { purpose, ...record } };
        } catch (error) {
          if (!(error instanceof VersionConflictError) || attempt >= CONSENT_ATTEMPTS) throw error;
        }
      }
    },

    giveServiceFeedback: async (request) => {
      const feedback = bodyOf(request, ServiceFeedbackSchema);
      await store.addServiceFeedback(request.customerId, {
        rating: feedback.rating,
        ...(feedback.comment !== undefined && { comment: normalizeText(feedback.comment) }),
        ...(feedback.channel !== undefined && { channel: feedback.channel }),
        at: request.now.toISOString(),
      });
      return { status: 204 };
    },
  };
}
