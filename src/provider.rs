//! The provider: its configuration schema, configure (the shared API client), and what it serves.
