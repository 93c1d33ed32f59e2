//! A stateful fake of GitHub's Packages REST API.
