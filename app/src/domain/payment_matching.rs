//! Which open invoices a bank transaction pays, in the order a careful accountant checks:
//! 1. our own direct debit: the end-to-end id is the invoice number;
//! 2. invoice numbers in the remittance text (however the payer spaced or dashed them):
//!    paid oldest first, what is left over becomes the customer's credit;
//! 3. no number: the amount equals exactly one open invoice (of the payer's customer, when
//!    the payer's IBAN is known from a mandate);
//! 4. anything else waits in the review list, with the customer when the IBAN tells.
//!
//! The book is matched against in order, so two payments of the same invoice find it open
//! only once.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use uuid::Uuid;

/// An invoice with an amount still open.
#[derive(Clone, Debug, PartialEq)]
pub struct OpenInvoice {
    pub id: Uuid,
    pub number: String,
    pub customer_id: Uuid,
    pub due_date: NaiveDate,
    pub open: Decimal,
}

/// A booked bank transaction; `amount` is positive for money received.
#[derive(Clone, Debug, PartialEq)]
pub struct BankTransaction {
    pub amount: Decimal,
    pub remittance: String,
    pub end_to_end_id: Option<String>,
    pub payer_iban: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchReason {
    DirectDebit,
    InvoiceNumber,
    UniqueAmount,
    /// Only the payer is known; the accountant decides.
    PayerAccount,
    Manual,
}

/// What a transaction pays: invoice allocations (negative for a returned direct debit),
/// the customer, and what is left for the customer's balance.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Matched {
    pub customer_id: Option<Uuid>,
    pub allocations: Vec<(Uuid, Decimal)>,
    pub surplus: Decimal,
    pub reason: Option<MatchReason>,
}

impl Matched {
    /// Fully assigned: no review needed.
    pub fn is_settled(&self) -> bool {
        !self.allocations.is_empty()
    }
}

/// Letters and digits only, upper case: how numbers are compared in free text.
fn key(text: &str) -> String {
    text.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// The open invoices of a tenant, indexed for matching.
pub struct OpenBook {
    invoices: Vec<OpenInvoice>,
    by_key: HashMap<String, usize>,
    /// By the open amount when loaded (checked again on use).
    by_amount: HashMap<Decimal, Vec<usize>>,
    key_lengths: Vec<usize>,
    customer_by_iban: HashMap<String, Uuid>,
}

impl OpenBook {
    pub fn new(
        invoices: Vec<OpenInvoice>,
        ibans: impl IntoIterator<Item = (String, Uuid)>,
    ) -> Self {
        let mut by_key = HashMap::with_capacity(invoices.len());
        let mut key_lengths = Vec::new();
        let mut by_amount: HashMap<Decimal, Vec<usize>> = HashMap::new();
        for (index, invoice) in invoices.iter().enumerate() {
            by_amount
                .entry(invoice.open.normalize())
                .or_default()
                .push(index);
            let k = key(&invoice.number);
            if !key_lengths.contains(&k.len()) {
                key_lengths.push(k.len());
            }
            by_key.insert(k, index);
        }
        key_lengths.sort_unstable_by(|a, b| b.cmp(a));
        OpenBook {
            invoices,
            by_key,
            by_amount,
            key_lengths,
            customer_by_iban: ibans.into_iter().collect(),
        }
    }

    /// Invoice numbers mentioned in `text`, each once, in the order they appear; a number
    /// counts only where it is not the start of a longer number.
    fn numbers_in(&self, text: &str) -> Vec<usize> {
        let text = key(text);
        let bytes = text.as_bytes();
        let mut found = Vec::new();
        for start in 0..bytes.len() {
            for &length in &self.key_lengths {
                let Some(candidate) = text.get(start..start + length) else {
                    continue;
                };
                let Some(&index) = self.by_key.get(candidate) else {
                    continue;
                };
                let continues_number = bytes.get(start + length).is_some_and(u8::is_ascii_digit)
                    && candidate.as_bytes().last().is_some_and(u8::is_ascii_digit);
                if !continues_number && !found.contains(&index) {
                    found.push(index);
                }
            }
        }
        found
    }

    fn allocate(&mut self, index: usize, amount: Decimal) -> (Uuid, Decimal) {
        let invoice = &mut self.invoices[index];
        invoice.open -= amount;
        (invoice.id, amount)
    }

    /// Matches one transaction and books it against the open amounts.
    pub fn apply(&mut self, tx: &BankTransaction) -> Matched {
        let payer = tx
            .payer_iban
            .as_deref()
            .and_then(|iban| self.customer_by_iban.get(&key(iban)).copied());
        let own_debit = tx
            .end_to_end_id
            .as_deref()
            .and_then(|id| self.by_key.get(&key(id)).copied());
        if let Some(index) = own_debit {
            // a collection credited, or returned (negative): the whole amount is that invoice's
            let customer = self.invoices[index].customer_id;
            return Matched {
                customer_id: Some(customer),
                allocations: vec![self.allocate(index, tx.amount)],
                surplus: Decimal::ZERO,
                reason: Some(MatchReason::DirectDebit),
            };
        }
        if tx.amount <= Decimal::ZERO {
            return Matched::default();
        }
        let mut named = self.numbers_in(&tx.remittance);
        named.retain(|&i| self.invoices[i].open > Decimal::ZERO);
        if !named.is_empty() {
            named.sort_by_key(|&i| (self.invoices[i].due_date, self.invoices[i].number.clone()));
            let customer = self.invoices[named[0]].customer_id;
            let mut left = tx.amount;
            let mut allocations = Vec::new();
            for index in named {
                if left <= Decimal::ZERO {
                    break;
                }
                let share = left.min(self.invoices[index].open);
                allocations.push(self.allocate(index, share));
                left -= share;
            }
            return Matched {
                customer_id: Some(customer),
                allocations,
                surplus: left,
                reason: Some(MatchReason::InvoiceNumber),
            };
        }
        let same_amount: Vec<usize> = self
            .by_amount
            .get(&tx.amount.normalize())
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .copied()
            .filter(|&i| {
                let invoice = &self.invoices[i];
                invoice.open == tx.amount && payer.is_none_or(|c| c == invoice.customer_id)
            })
            .collect();
        if let [index] = same_amount[..] {
            let customer = self.invoices[index].customer_id;
            return Matched {
                customer_id: Some(customer),
                allocations: vec![self.allocate(index, tx.amount)],
                surplus: Decimal::ZERO,
                reason: Some(MatchReason::UniqueAmount),
            };
        }
        Matched {
            customer_id: payer,
            allocations: Vec::new(),
            surplus: tx.amount,
            reason: payer.map(|_| MatchReason::PayerAccount),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, day).unwrap()
    }

    fn money(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    fn invoice(n: u128, number: &str, customer: u128, due: u32, open: &str) -> OpenInvoice {
        OpenInvoice {
            id: Uuid::from_u128(n),
            number: number.to_owned(),
            customer_id: Uuid::from_u128(customer),
            due_date: d(due),
            open: money(open),
        }
    }

    fn tx(amount: &str, remittance: &str) -> BankTransaction {
        BankTransaction {
            amount: money(amount),
            remittance: remittance.to_owned(),
            end_to_end_id: None,
            payer_iban: None,
        }
    }

    fn book() -> OpenBook {
        OpenBook::new(
            vec![
                invoice(1, "RE-2026-00001", 100, 10, "119.00"),
                invoice(2, "RE-2026-00002", 100, 5, "23.80"),
                invoice(3, "RE-2026-00003", 200, 12, "50.00"),
                invoice(4, "RE-2026-00004", 300, 12, "50.00"),
                invoice(12, "RE-2026-00012", 300, 12, "11.90"),
            ],
            [("DE89370400440532013000".to_owned(), Uuid::from_u128(200))],
        )
    }

    #[test]
    fn numbers_are_found_however_they_are_written() {
        let mut book = book();
        let paid = book.apply(&tx("119.00", "Rechnung re 2026 00001 danke"));
        assert_eq!(
            paid.allocations,
            vec![(Uuid::from_u128(1), money("119.00"))]
        );
        assert_eq!(paid.reason, Some(MatchReason::InvoiceNumber));
        assert_eq!(paid.surplus, Decimal::ZERO);
        // RE-2026-000012 is not RE-2026-00001
        let other = book.apply(&tx("3.00", "RE2026000012"));
        assert!(other.allocations.is_empty(), "{other:?}");
    }

    #[test]
    fn several_numbers_are_paid_oldest_first_and_the_rest_is_credit() {
        let mut book = book();
        let paid = book.apply(&tx("150.00", "RE-2026-00001, RE-2026-00002"));
        assert_eq!(
            paid.allocations,
            vec![
                (Uuid::from_u128(2), money("23.80")),
                (Uuid::from_u128(1), money("119.00"))
            ]
        );
        assert_eq!(paid.surplus, money("7.20"));
        assert_eq!(paid.customer_id, Some(Uuid::from_u128(100)));
        // paid already: a second transfer naming it is no longer matched to it
        let again = book.apply(&tx("23.80", "RE-2026-00002"));
        assert!(again.allocations.is_empty());
    }

    #[test]
    fn a_partial_payment_leaves_the_rest_open() {
        let mut book = book();
        let first = book.apply(&tx("100.00", "RE-2026-00001"));
        assert_eq!(
            first.allocations,
            vec![(Uuid::from_u128(1), money("100.00"))]
        );
        let rest = book.apply(&tx("19.00", "RE-2026-00001 Rest"));
        assert_eq!(rest.allocations, vec![(Uuid::from_u128(1), money("19.00"))]);
    }

    #[test]
    fn an_amount_matches_only_when_it_is_unique_or_the_payer_is_known() {
        let mut book = book();
        assert_eq!(
            book.apply(&tx("23.80", "Danke")).allocations,
            vec![(Uuid::from_u128(2), money("23.80"))]
        );
        // two invoices of 50.00: ambiguous without the payer
        let unknown = book.apply(&tx("50.00", "Zahlung"));
        assert!(unknown.allocations.is_empty());
        assert_eq!(unknown.reason, None);
        let known = book.apply(&BankTransaction {
            payer_iban: Some("DE89 3704 0044 0532 0130 00".to_owned()),
            ..tx("50.00", "Zahlung")
        });
        assert_eq!(
            known.allocations,
            vec![(Uuid::from_u128(3), money("50.00"))]
        );
        let only_payer = book.apply(&BankTransaction {
            payer_iban: Some("DE89370400440532013000".to_owned()),
            ..tx("7.00", "")
        });
        assert_eq!(only_payer.reason, Some(MatchReason::PayerAccount));
        assert_eq!(only_payer.customer_id, Some(Uuid::from_u128(200)));
    }

    #[test]
    fn own_direct_debits_and_their_returns_match_by_end_to_end_id() {
        let mut book = book();
        let collected = book.apply(&BankTransaction {
            end_to_end_id: Some("RE-2026-00003".to_owned()),
            ..tx("50.00", "")
        });
        assert_eq!(collected.reason, Some(MatchReason::DirectDebit));
        let returned = book.apply(&BankTransaction {
            end_to_end_id: Some("RE-2026-00003".to_owned()),
            ..tx("-50.00", "Ruecklastschrift AM04")
        });
        assert_eq!(
            returned.allocations,
            vec![(Uuid::from_u128(3), money("-50.00"))]
        );
        // an outgoing payment of our own is nobody's invoice
        assert_eq!(book.apply(&tx("-20.00", "Miete")), Matched::default());
    }
}
