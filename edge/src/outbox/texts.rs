//! The texts of the order confirmation e-mail in the widget's six languages
//! (en, fr, de, it, es, nl), and the language a checkout was made in.

/// A language of the confirmation: the widget's (the one list, in
/// `shared`).
pub(crate) use shared::lang::Lang;

/// The language a checkout request names (`"fr-BE"` → `fr`), stored with
/// the checkout; English when absent or not one of the six.
pub(crate) fn checkout_language(requested: Option<&str>) -> &'static str {
    requested
        .and_then(Lang::from_tag)
        .unwrap_or(Lang::En)
        .code()
}

/// Every text of one language. `{name}` and `{d}`/`{m}`/`{y}` are filled in.
#[derive(Debug)]
pub(crate) struct Texts {
    pub(crate) subject: &'static str,
    pub(crate) merchant_subject: &'static str,
    pub(crate) hello: &'static str,
    pub(crate) hello_anonymous: &'static str,
    pub(crate) intro: &'static str,
    pub(crate) merchant_intro: &'static str,
    pub(crate) reference: &'static str,
    pub(crate) date_label: &'static str,
    pub(crate) date: &'static str,
    pub(crate) months: [&'static str; 12],
    pub(crate) customer: &'static str,
    pub(crate) item: &'static str,
    pub(crate) quantity: &'static str,
    pub(crate) amount: &'static str,
    pub(crate) shipping: &'static str,
    /// The discount code row (`Discount code SUMMER10`).
    pub(crate) discount: &'static str,
    pub(crate) free: &'static str,
    pub(crate) net: &'static str,
    pub(crate) vat: &'static str,
    pub(crate) total: &'static str,
    pub(crate) ship_to: &'static str,
    pub(crate) seller: &'static str,
    pub(crate) vat_id: &'static str,
    pub(crate) contact: &'static str,
    pub(crate) terms: &'static str,
    pub(crate) withdrawal: &'static str,
    pub(crate) back: &'static str,
    pub(crate) keep: &'static str,
}

/// The texts of `lang`.
pub(crate) fn texts(lang: Lang) -> &'static Texts {
    match lang {
        Lang::En => &EN,
        Lang::Fr => &FR,
        Lang::De => &DE,
        Lang::It => &IT,
        Lang::Es => &ES,
        Lang::Nl => &NL,
    }
}

static EN: Texts = Texts {
    subject: "Order confirmation",
    merchant_subject: "New order",
    hello: "Hello {name},",
    hello_anonymous: "Hello,",
    intro:
        "Thank you for your order. We have received your payment; this e-mail confirms your order.",
    merchant_intro: "A new order has been paid.",
    reference: "Order reference",
    date_label: "Order date",
    date: "{d} {m} {y}",
    months: [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
    customer: "Customer",
    item: "Item",
    quantity: "Qty",
    amount: "Amount",
    shipping: "Shipping",
    discount: "Discount code",
    free: "free",
    net: "Total excl. VAT",
    vat: "VAT",
    total: "Total charged",
    ship_to: "Shipping address",
    seller: "Seller",
    vat_id: "VAT number",
    contact: "Contact",
    terms: "Terms and conditions",
    withdrawal: "Right of withdrawal",
    back: "Back to the shop",
    keep: "Please keep this e-mail: it is the confirmation of your contract.",
};

static FR: Texts = Texts {
    subject: "Confirmation de commande",
    merchant_subject: "Nouvelle commande",
    hello: "Bonjour {name},",
    hello_anonymous: "Bonjour,",
    intro: "Merci pour votre commande. Nous avons bien reçu votre paiement ; cet e-mail confirme votre commande.",
    merchant_intro: "Une nouvelle commande a été payée.",
    reference: "Référence de commande",
    date_label: "Date de commande",
    date: "{d} {m} {y}",
    months: [
        "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
        "octobre", "novembre", "décembre",
    ],
    customer: "Client",
    item: "Article",
    quantity: "Qté",
    amount: "Montant",
    shipping: "Livraison",
    discount: "Code de réduction",
    free: "offerte",
    net: "Total HT",
    vat: "TVA",
    total: "Total payé",
    ship_to: "Adresse de livraison",
    seller: "Vendeur",
    vat_id: "N° de TVA",
    contact: "Contact",
    terms: "Conditions générales de vente",
    withdrawal: "Droit de rétractation",
    back: "Retour à la boutique",
    keep: "Conservez cet e-mail : il confirme votre contrat.",
};

static DE: Texts = Texts {
    subject: "Bestellbestätigung",
    merchant_subject: "Neue Bestellung",
    hello: "Hallo {name},",
    hello_anonymous: "Hallo,",
    intro: "Vielen Dank für Ihre Bestellung. Ihre Zahlung ist eingegangen; diese E-Mail bestätigt Ihre Bestellung.",
    merchant_intro: "Eine neue Bestellung wurde bezahlt.",
    reference: "Bestellnummer",
    date_label: "Bestelldatum",
    date: "{d}. {m} {y}",
    months: [
        "Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
        "Oktober", "November", "Dezember",
    ],
    customer: "Kunde",
    item: "Artikel",
    quantity: "Menge",
    amount: "Betrag",
    shipping: "Versand",
    discount: "Rabattcode",
    free: "kostenlos",
    net: "Summe netto",
    vat: "MwSt.",
    total: "Gesamtbetrag",
    ship_to: "Lieferadresse",
    seller: "Verkäufer",
    vat_id: "USt-IdNr.",
    contact: "Kontakt",
    terms: "Allgemeine Geschäftsbedingungen",
    withdrawal: "Widerrufsbelehrung",
    back: "Zurück zum Shop",
    keep: "Bitte bewahren Sie diese E-Mail auf: Sie bestätigt Ihren Vertrag.",
};

static IT: Texts = Texts {
    subject: "Conferma d'ordine",
    merchant_subject: "Nuovo ordine",
    hello: "Ciao {name},",
    hello_anonymous: "Ciao,",
    intro: "Grazie per il tuo ordine. Abbiamo ricevuto il pagamento; questa e-mail conferma il tuo ordine.",
    merchant_intro: "Un nuovo ordine è stato pagato.",
    reference: "Riferimento ordine",
    date_label: "Data dell'ordine",
    date: "{d} {m} {y}",
    months: [
        "gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto",
        "settembre", "ottobre", "novembre", "dicembre",
    ],
    customer: "Cliente",
    item: "Articolo",
    quantity: "Qtà",
    amount: "Importo",
    shipping: "Spedizione",
    discount: "Codice sconto",
    free: "gratuita",
    net: "Totale imponibile",
    vat: "IVA",
    total: "Totale addebitato",
    ship_to: "Indirizzo di spedizione",
    seller: "Venditore",
    vat_id: "Partita IVA",
    contact: "Contatto",
    terms: "Condizioni generali di vendita",
    withdrawal: "Diritto di recesso",
    back: "Torna al negozio",
    keep: "Conserva questa e-mail: è la conferma del tuo contratto.",
};

static ES: Texts = Texts {
    subject: "Confirmación de pedido",
    merchant_subject: "Nuevo pedido",
    hello: "Hola {name}:",
    hello_anonymous: "Hola:",
    intro: "Gracias por tu pedido. Hemos recibido tu pago; este correo confirma tu pedido.",
    merchant_intro: "Se ha pagado un nuevo pedido.",
    reference: "Referencia del pedido",
    date_label: "Fecha del pedido",
    date: "{d} de {m} de {y}",
    months: [
        "enero",
        "febrero",
        "marzo",
        "abril",
        "mayo",
        "junio",
        "julio",
        "agosto",
        "septiembre",
        "octubre",
        "noviembre",
        "diciembre",
    ],
    customer: "Cliente",
    item: "Artículo",
    quantity: "Cant.",
    amount: "Importe",
    shipping: "Envío",
    discount: "Código de descuento",
    free: "gratis",
    net: "Total sin IVA",
    vat: "IVA",
    total: "Total cobrado",
    ship_to: "Dirección de envío",
    seller: "Vendedor",
    vat_id: "NIF-IVA",
    contact: "Contacto",
    terms: "Condiciones generales",
    withdrawal: "Derecho de desistimiento",
    back: "Volver a la tienda",
    keep: "Guarda este correo: es la confirmación de tu contrato.",
};

static NL: Texts = Texts {
    subject: "Orderbevestiging",
    merchant_subject: "Nieuwe bestelling",
    hello: "Hallo {name},",
    hello_anonymous: "Hallo,",
    intro: "Bedankt voor je bestelling. We hebben je betaling ontvangen; deze e-mail bevestigt je bestelling.",
    merchant_intro: "Er is een nieuwe bestelling betaald.",
    reference: "Bestelnummer",
    date_label: "Besteldatum",
    date: "{d} {m} {y}",
    months: [
        "januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
        "oktober", "november", "december",
    ],
    customer: "Klant",
    item: "Artikel",
    quantity: "Aantal",
    amount: "Bedrag",
    shipping: "Verzending",
    discount: "Kortingscode",
    free: "gratis",
    net: "Totaal excl. btw",
    vat: "btw",
    total: "Totaal betaald",
    ship_to: "Verzendadres",
    seller: "Verkoper",
    vat_id: "Btw-nummer",
    contact: "Contact",
    terms: "Algemene voorwaarden",
    withdrawal: "Herroepingsrecht",
    back: "Terug naar de winkel",
    keep: "Bewaar deze e-mail: dit is de bevestiging van je overeenkomst.",
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_from_tags() {
        for (tag, want) in [
            (Some("fr-BE"), "fr"),
            (Some("DE"), "de"),
            (Some("nl_NL"), "nl"),
            (Some("it"), "it"),
            (Some("es-419"), "es"),
            (Some("pt-BR"), "en"),
            (Some(""), "en"),
            (None, "en"),
        ] {
            assert_eq!(checkout_language(tag), want, "{tag:?}");
        }
    }

    #[test]
    fn every_language_has_its_own_subject_and_placeholders() {
        let all = [Lang::En, Lang::Fr, Lang::De, Lang::It, Lang::Es, Lang::Nl];
        let mut subjects: Vec<&str> = all.iter().map(|l| texts(*l).subject).collect();
        subjects.dedup();
        assert_eq!(subjects.len(), 6);
        for l in all {
            let t = texts(l);
            assert!(t.hello.contains("{name}"), "{l:?}");
            for p in ["{d}", "{m}", "{y}"] {
                assert!(t.date.contains(p), "{l:?} {p}");
            }
        }
    }
}
