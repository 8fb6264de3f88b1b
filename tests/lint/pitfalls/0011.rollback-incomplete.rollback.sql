DROP INDEX ix_tags_customer;
