-- The duplicate checks (the intake's hint, the import of a case list) look a person up by the
-- skeleton of the family name and the birth date. A LIKE over `search_text` read every person:
-- at a million persons half a second per intake and hours per import. The key is the family
-- part of `search_text` (" f:<family> g:<given> "), which holds no space.
ALTER TABLE persons ADD COLUMN family_key TEXT NOT NULL DEFAULT '';
UPDATE persons SET family_key = substr(search_text, 4, strpos(search_text, ' g:') - 4)
WHERE strpos(search_text, ' g:') > 3;
CREATE INDEX persons_family_key ON persons (family_key, birth_date);
