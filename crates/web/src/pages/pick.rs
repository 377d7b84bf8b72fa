//! Bounded pick lists in forms: what the form has chosen first, then at most a bound of the
//! records that match the words typed into the list's search, and a note when more match. No
//! form offers a whole table (decision 0010, "Pick lists"). The search is a submit button of
//! the form around it, so whatever the form held comes back with the narrowed list: by GET to
//! the form's page, or by POST ([`Pick::by_post`]) where the form holds free text or a secret.
//! Built by `pages::organisations::organisation_pick`, `pages::bodies::issue_pick` and
//! `pages::bodies::owner_pick`; measures have their own pick with a concept filter
//! (`pages::measures::MeasurePick`).

pub struct Pick {
    /// Where a GET search goes: the form's own page.
    pub action: String,
    /// The search goes by POST with the form to the form's own action, flagged by its button's
    /// name, instead of by GET to [`Self::action`].
    pub post: bool,
    /// The words searched for.
    pub q: String,
    /// (id, label, chosen): the chosen records first.
    pub options: Vec<(String, String, bool)>,
    /// More records match than the list shows: the page asks for more precise words.
    pub more: bool,
    /// Words were given and nothing matches them.
    pub nothing_found: bool,
    /// How many matches the list shows at most.
    pub limit: usize,
}

impl Pick {
    /// An empty pick list, for a form that offers no choice.
    pub fn none() -> Pick {
        Pick {
            action: String::new(),
            post: false,
            q: String::new(),
            options: Vec::new(),
            more: false,
            nothing_found: false,
            limit: 0,
        }
    }

    /// The chosen records (`chosen`, read by id whatever the search) first, then the matches
    /// `found` that are not among them.
    pub fn of(
        action: String,
        q: &str,
        chosen: Vec<(String, String)>,
        found: Vec<(String, String)>,
        more: bool,
        limit: usize,
    ) -> Pick {
        let nothing_found = found.is_empty() && !q.trim().is_empty();
        let mut options: Vec<(String, String, bool)> = chosen
            .into_iter()
            .map(|(id, label)| (id, label, true))
            .collect();
        for (id, label) in found {
            if !options.iter().any(|(o, ..)| *o == id) {
                options.push((id, label, false));
            }
        }
        Pick {
            action,
            post: false,
            q: q.trim().to_owned(),
            options,
            more,
            nothing_found,
            limit,
        }
    }

    /// The same list, searched by POST (see [`Self::post`]).
    pub fn by_post(mut self) -> Pick {
        self.post = true;
        self
    }

    /// (id, label) of every option, for the checkbox and select macros.
    pub fn pairs(&self) -> Vec<(String, String)> {
        self.options
            .iter()
            .map(|(id, label, _)| (id.clone(), label.clone()))
            .collect()
    }
}
