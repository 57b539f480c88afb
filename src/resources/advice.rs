//! Advice both resources give: importing an object that already exists, keeping a tainted one.
//!
//! Terraform does not tell a provider the address of the resource it works on, so the advice
//! says where the address is shown (the `with …` line Terraform prints under each error) instead
//! of printing a command with a made-up address.

/// How to put the existing object with import id `id` under this resource, as the end of a
/// sentence.
pub fn import_advice(id: &str) -> String {
    format!(
        "import it into this resource with the import id {id}: an `import` block with \
         `id = \"{id}\"` and `to` set to this resource's address (shown in the `with` line of \
         this message), or `terraform import` with that address and that id"
    )
}

/// Why a created object is tainted and how to keep it, for object `what` (e.g. `secret
/// API_KEY (id …)`) once `ready` (e.g. "it is active").
pub fn untaint_advice(what: &str, ready: &str) -> String {
    format!(
        "Terraform saves an object whose create reported an error as tainted, and the next apply \
         deletes and creates a tainted object again. To keep {what} instead, check that {ready} \
         (`terraform plan` refreshes it and shows it), then run `terraform untaint` with this \
         resource's address, shown in the `with` line of this message."
    )
}
