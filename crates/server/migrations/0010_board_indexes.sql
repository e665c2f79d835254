-- The board query (db::calls::board) answered from indexes alone: a company's offers
-- with the call each is for, and per call the fields the board's window filters on and
-- its version. Without them every call of a board read its offer row and its call row,
-- whose pages are mostly the stored document.
CREATE INDEX call_offers_board ON call_offers (company_id, state, call_id);
CREATE INDEX calls_board ON calls (id, version, status, slot_start, slot_end, technician_id);
DROP INDEX call_offers_company;
