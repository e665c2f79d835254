-- Held notifications: the client and technician notifications of a dispatcher's move wait
-- out the undo window (`deliver_after` = the move + 10 s) under a hold key naming the
-- change (`<call id>/v<version>`). Undoing the move withdraws the rows of its hold that
-- no worker has claimed yet (`cancelled_at`), in the undo's own transaction.
ALTER TABLE outbox ADD COLUMN hold_key TEXT;
CREATE INDEX outbox_hold ON outbox (hold_key);
