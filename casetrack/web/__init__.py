"""HTTP layer: one blueprint per area. A view: form → permission → service → commit → redirect."""
