//! `kenpo token`: mint a development token. Refused when an identity provider is configured:
//! then tokens come from it only.

use clap::Args;

use crate::auth::Role;

#[derive(Debug, Args)]
pub struct TokenArgs {
    /// Staff user id (職員ID) the token is for.
    #[arg(long)]
    user: String,
    /// Role(s) the token carries; repeat for several.
    #[arg(long = "role", value_enum, required = true)]
    roles: Vec<Role>,
    /// Lifetime, e.g. 30m, 8h, 1d.
    #[arg(long, default_value = "8h", value_parser = parse_ttl)]
    ttl: chrono::Duration,
}

fn parse_ttl(text: &str) -> Result<chrono::Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: i64 = number
        .parse()
        .map_err(|_| format!("'{text}' is not a duration such as 30m, 8h or 1d"))?;
    let duration = match unit {
        "s" => chrono::Duration::seconds(number),
        "m" => chrono::Duration::minutes(number),
        "h" | "" => chrono::Duration::hours(number),
        "d" => chrono::Duration::days(number),
        _ => return Err(format!("unknown unit '{unit}': use s, m, h or d")),
    };
    if duration <= chrono::Duration::zero() || duration > chrono::Duration::days(30) {
        return Err("the lifetime must be between 1s and 30d".to_owned());
    }
    Ok(duration)
}

pub fn run(args: TokenArgs) -> anyhow::Result<()> {
    if crate::config::identity_provider()?.is_some() {
        anyhow::bail!("kenpo token is for development only: an identity provider is configured (KENPO_OIDC_ISSUER), and kenpo serve accepts its tokens only; sign in at the identity provider instead");
    }
    let key = crate::config::signing_key()?;
    println!("{}", key.mint(&args.user, &args.roles, args.ttl)?);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::parse_ttl;

    #[test]
    fn durations_parse_and_nonsense_is_refused() {
        assert_eq!(parse_ttl("30m").unwrap(), chrono::Duration::minutes(30));
        assert_eq!(parse_ttl("2d").unwrap(), chrono::Duration::days(2));
        assert!(parse_ttl("0h").is_err());
        assert!(parse_ttl("5y").is_err());
        assert!(parse_ttl("abc").is_err());
    }
}
