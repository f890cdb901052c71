/** The support teams the Banking77 routing sample sends queries to. */
export type Banking77Team = 'cards' | 'transfers' | 'top-ups' | 'accounts-identity' | 'fees-exchange' | 'fraud-disputes';

const TEAMS: Record<Banking77Team, readonly string[]> = {
  // Getting, using and replacing a card, including card payments and ATM use that are pending,
  // declined or not working: the card operations team can act on all of these.
  cards: [
    'activate_my_card',
    'apple_pay_or_google_pay',
    'atm_support',
    'card_about_to_expire',
    'card_acceptance',
    'card_arrival',
    'card_delivery_estimate',
    'card_linking',
    'card_not_working',
    'card_swallowed',
    'change_pin',
    'contactless_not_working',
    'declined_card_payment',
    'declined_cash_withdrawal',
    'disposable_card_limits',
    'get_disposable_virtual_card',
    'get_physical_card',
    'getting_spare_card',
    'getting_virtual_card',
    'order_physical_card',
    'pending_card_payment',
    'pending_cash_withdrawal',
    'pin_blocked',
    'supported_cards_and_currencies',
    'virtual_card_not_working',
    'visa_or_mastercard',
  ],
  transfers: [
    'balance_not_updated_after_bank_transfer',
    'beneficiary_not_allowed',
    'cancel_transfer',
    'declined_transfer',
    'failed_transfer',
    'pending_transfer',
    'receiving_money',
    'transfer_into_account',
    'transfer_not_received_by_recipient',
    'transfer_timing',
  ],
  'top-ups': [
    'automatic_top_up',
    'balance_not_updated_after_cheque_or_cash_deposit',
    'pending_top_up',
    'top_up_by_cash_or_cheque',
    'top_up_failed',
    'top_up_limits',
    'top_up_reverted',
    'topping_up_by_card',
    'verify_top_up',
  ],
  'accounts-identity': [
    'age_limit',
    'country_support',
    'edit_personal_details',
    'passcode_forgotten',
    'terminate_account',
    'unable_to_verify_identity',
    'verify_my_identity',
    'verify_source_of_funds',
    'why_verify_identity',
  ],
  // Every "why was I charged" question, whatever the channel, plus exchange rates: one team owns
  // the fee schedule and the FX rules.
  'fees-exchange': [
    'card_payment_fee_charged',
    'card_payment_wrong_exchange_rate',
    'cash_withdrawal_charge',
    'exchange_charge',
    'exchange_rate',
    'exchange_via_app',
    'extra_charge_on_statement',
    'fiat_currency_support',
    'top_up_by_bank_transfer_charge',
    'top_up_by_card_charge',
    'transfer_fee_charged',
    'wrong_exchange_rate_for_cash_withdrawal',
  ],
  // Anything the customer did not authorise or wants back, and anything lost or compromised that
  // needs the account secured before it is replaced.
  'fraud-disputes': [
    'Refund_not_showing_up',
    'card_payment_not_recognised',
    'cash_withdrawal_not_recognised',
    'compromised_card',
    'direct_debit_payment_not_recognised',
    'lost_or_stolen_card',
    'lost_or_stolen_phone',
    'request_refund',
    'reverted_card_payment?',
    'transaction_charged_twice',
    'wrong_amount_of_cash_received',
  ],
};

/**
 * Banking77 intent → the support team that handles it, for the support-routing sample: the
 * classifier predicts the intent and the workflow routes to its team. Covers all 77 intents,
 * spelled exactly as in the dataset (including `Refund_not_showing_up` and `reverted_card_payment?`).
 */
export const BANKING77_TEAMS: Readonly<Record<string, Banking77Team>> = Object.freeze(
  Object.fromEntries(
    (Object.entries(TEAMS) as [Banking77Team, readonly string[]][]).flatMap(([team, intents]) => intents.map((intent) => [intent, team])),
  ),
);
