"""Pure helpers for Japanese administrative data: numbers as typed, fiscal years, business days."""
