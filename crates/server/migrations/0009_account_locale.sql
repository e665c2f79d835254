-- The locale a person chose for the app and their e-mails (`de-AT`, `fr-CH`, …). NULL:
-- not chosen, the company's default applies (domain::company::default_locale).
ALTER TABLE users ADD COLUMN locale TEXT;
