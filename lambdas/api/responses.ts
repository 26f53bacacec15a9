import * as z from "zod/mini";
import { CATEGORIES } from "../domain/categories";
import { CONSENT_PURPOSES } from "../domain/consents";
import type { ContextTips } from "../domain/context-tips";
import type { Home } from "../domain/home";
import type { Insights } from "../domain/insights";
import { HOME_WIDGETS, THEMES } from "../domain/preferences";
import type { RankedOffer } from "../use-cases/api/offers-inbox";
import { PreferencesSchema } from "./schemas";

/**
 * Response schemas of the customer API, for the OpenAPI document and for the tests that check every
 * response against its schema. Objects are strict, so a field the document does not describe fails
 * the tests. The assignments at the end make the compiler check each schema against the domain type
 * the handler returns.
 */

const CategorySchema = z.enum(CATEGORIES);
const CadenceSchema = z.enum(["weekly", "fortnightly", "monthly", "quarterly", "yearly"]);
const LocalDateSchema = z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/));

const MoneySchema = z.strictObject({
  amountMinor: z.int(),
  currency: z.string(),
  formatted: z.string(),
});

const PreferencesResponseSchema = z.strictObject({ ...PreferencesSchema.def.shape, version: z.int() });

const ConsentSchema = z.strictObject({
  purpose: z.enum(CONSENT_PURPOSES),
  granted: z.boolean(),
  at: z.nullable(z.string()),
  textVersion: z.nullable(z.string()),
});

const ConsentsSchema = z.strictObject({ consents: z.array(ConsentSchema) });

const OfferSchema = z.strictObject({
  offerId: z.string(),
  productCode: z.string(),
  title: z.string(),
  body: z.string(),
  presentedAt: z.string(),
  validUntil: LocalDateSchema,
  score: z.number(),
});

const OffersSchema = z.strictObject({ offers: z.array(OfferSchema) });

const NotificationsSchema = z.strictObject({
  notifications: z.array(
    z.strictObject({
      id: z.string(),
      kind: z.enum(["alert", "offer"]),
      severity: z.enum(["critical", "service", "marketing"]),
      ruleId: z.string(),
      title: z.string(),
      body: z.string(),
      createdAt: z.string(),
      read: z.boolean(),
    }),
  ),
  nextCursor: z.optional(z.string()),
});

const ExpectedPayment = {
  payeeKey: z.string(),
  name: z.string(),
  category: CategorySchema,
  label: z.string(),
  dueDate: LocalDateSchema,
  amount: MoneySchema,
};

const UpcomingBillSchema = z.strictObject({ ...ExpectedPayment, daysUntilDue: z.int() });

const Opportunity = { id: z.string(), title: z.string(), body: z.string() };

const InsightsSchema = z.strictObject({
  month: z.string(),
  currency: z.string(),
  otherCurrencies: z.array(z.string()),
  spendingTotal: MoneySchema,
  spending: z.array(
    z.strictObject({
      category: CategorySchema,
      label: z.string(),
      amount: MoneySchema,
      previousAverage: z.nullable(MoneySchema),
      changePercent: z.nullable(z.int()),
    }),
  ),
  income: z.strictObject({
    total: MoneySchema,
    categories: z.array(z.strictObject({ category: CategorySchema, label: z.string(), amount: MoneySchema })),
  }),
  forecast: z.nullable(
    z.strictObject({
      method: z.literal("daily_pace_plus_recurring"),
      asOfDate: LocalDateSchema,
      daysElapsed: z.int(),
      daysRemaining: z.int(),
      spentSoFar: MoneySchema,
      discretionarySoFar: MoneySchema,
      projectedDiscretionary: MoneySchema,
      knownRecurring: MoneySchema,
      recurringPayments: z.array(z.strictObject(ExpectedPayment)),
      projectedTotal: MoneySchema,
      explanation: z.string(),
    }),
  ),
  recurring: z.strictObject({
    payees: z.array(
      z.strictObject({
        payeeKey: z.string(),
        name: z.string(),
        category: CategorySchema,
        label: z.string(),
        direction: z.enum(["debit", "credit"]),
        cadence: CadenceSchema,
        lastAmount: MoneySchema,
        lastDate: LocalDateSchema,
        nextDate: z.nullable(LocalDateSchema),
      }),
    ),
    upcomingBills: z.array(UpcomingBillSchema),
  }),
  savingsOpportunities: z.array(
    z.discriminatedUnion("kind", [
      z.strictObject({
        ...Opportunity,
        kind: z.literal("cut_back"),
        category: CategorySchema,
        label: z.string(),
        amount: MoneySchema,
        previousAverage: MoneySchema,
        changePercent: z.int(),
        excess: MoneySchema,
      }),
      z.strictObject({
        ...Opportunity,
        kind: z.literal("review_subscriptions"),
        monthlyTotal: MoneySchema,
        payees: z.array(
          z.strictObject({
            payeeKey: z.string(),
            name: z.string(),
            category: CategorySchema,
            cadence: CadenceSchema,
            monthlyAmount: MoneySchema,
          }),
        ),
      }),
      z.strictObject({
        ...Opportunity,
        kind: z.literal("term_deposit"),
        balance: MoneySchema,
        averageMonthlySpending: MoneySchema,
        reserve: MoneySchema,
        suggestedDeposit: MoneySchema,
      }),
      z.strictObject({
        ...Opportunity,
        kind: z.literal("save_surplus"),
        averageIncome: MoneySchema,
        averageSpending: MoneySchema,
        monthlySurplus: MoneySchema,
        monthsCompared: z.int(),
      }),
    ]),
  ),
});

const HomeSchema = z.strictObject({
  greeting: z.strictObject({
    period: z.enum(["morning", "noon", "afternoon", "evening"]),
    text: z.string(),
  }),
  theme: z.enum(THEMES),
  layout: z.array(z.enum(HOME_WIDGETS)),
  topInsight: z.nullable(
    z.discriminatedUnion("kind", [
      z.strictObject({
        kind: z.literal("upcoming_bill"),
        title: z.string(),
        body: z.string(),
        bill: UpcomingBillSchema,
      }),
      z.strictObject({
        kind: z.literal("category_increase"),
        title: z.string(),
        body: z.string(),
        category: CategorySchema,
        label: z.string(),
        amount: MoneySchema,
        previousAverage: MoneySchema,
        changePercent: z.int(),
      }),
    ]),
  ),
  topOffer: z.nullable(
    z.strictObject({
      offerId: z.string(),
      productCode: z.string(),
      title: z.string(),
      body: z.string(),
      validUntil: LocalDateSchema,
    }),
  ),
  shortcuts: z.array(
    z.strictObject({
      payeeKey: z.string(),
      label: z.string(),
      payeeName: z.string(),
      category: CategorySchema,
      categoryLabel: z.string(),
      lastAmount: MoneySchema,
      lastDate: LocalDateSchema,
    }),
  ),
  balances: z.array(z.strictObject({ accountId: z.string(), balance: MoneySchema, asOf: z.string() })),
});

const ContextTipsSchema = z.strictObject({
  category: CategorySchema,
  budgetImpact: z.nullable(
    z.strictObject({
      category: CategorySchema,
      label: z.string(),
      monthToDate: MoneySchema,
      afterPayment: MoneySchema,
      previousAverage: z.nullable(MoneySchema),
      percentOfAverage: z.nullable(z.int()),
      title: z.string(),
      body: z.string(),
    }),
  ),
  foreignFees: z.nullable(
    z.strictObject({
      country: z.string(),
      countryName: z.string(),
      feePercent: z.number(),
      exchangeRateSource: z.string(),
      title: z.string(),
      body: z.string(),
    }),
  ),
  instalment: z.nullable(
    z.discriminatedUnion("eligible", [
      z.strictObject({
        eligible: z.literal(true),
        minimum: MoneySchema,
        plans: z.array(
          z.strictObject({
            months: z.int(),
            monthlyAmount: MoneySchema,
            lastMonthlyAmount: MoneySchema,
            totalAmount: MoneySchema,
          }),
        ),
        title: z.string(),
        body: z.string(),
      }),
      z.strictObject({ eligible: z.literal(false), minimum: MoneySchema }),
    ]),
  ),
});

/** Response schemas by the name that routes give in `success.schema`. */
export const RESPONSE_SCHEMAS = {
  Preferences: PreferencesResponseSchema,
  Consent: ConsentSchema,
  Consents: ConsentsSchema,
  Offers: OffersSchema,
  Notifications: NotificationsSchema,
  Insights: InsightsSchema,
  Home: HomeSchema,
  ContextTips: ContextTipsSchema,
} satisfies Record<string, z.ZodMiniType>;

export type ResponseSchemaName = keyof typeof RESPONSE_SCHEMAS;

/**
 * The named schemas of the OpenAPI document's components: the responses and the parts they share, so
 * the document refers to Money or Category once instead of repeating them.
 */
export const RESPONSE_REGISTRY = z.registry<{ id: string }>();
const NAMED_SCHEMAS: ReadonlyArray<readonly [string, z.ZodMiniType]> = [
  ...Object.entries(RESPONSE_SCHEMAS),
  ["Money", MoneySchema],
  ["Category", CategorySchema],
  ["UpcomingBill", UpcomingBillSchema],
  ["Offer", OfferSchema],
];
for (const [id, schema] of NAMED_SCHEMAS) RESPONSE_REGISTRY.add(schema, { id });

// Compile-time checks that each domain result fits its schema's type.
type DeepReadonly<T> = T extends object ? { readonly [K in keyof T]: DeepReadonly<T[K]> } : T;
type Fits<Value extends DeepReadonly<Schema>, Schema> = Value;
export type CheckedResponses = [
  Fits<Insights, z.infer<typeof InsightsSchema>>,
  Fits<Home, z.infer<typeof HomeSchema>>,
  Fits<ContextTips, z.infer<typeof ContextTipsSchema>>,
  Fits<{ offers: RankedOffer[] }, z.infer<typeof OffersSchema>>,
];
